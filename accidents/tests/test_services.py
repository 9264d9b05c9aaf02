"""Accident services: registration and its keys, the 补报 window and re-grading, the investigation and its
one-year 整改评估 deadline, responsibility findings, fire warning ranges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accidents import services
from accidents.choices import AccidentType, AttachmentRole, Grade, PartyKind, Status, WarningRange
from accidents.models import Accident, AccidentRevision
from accidents.tests.factories import moment, register, report_pdf
from core.models import ChangeEvent
from escalation.registry import SOURCES
from orgs.models import Domain, Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_an_enterprise_accident_copies_the_enterprise_keys_and_is_graded(world: World) -> None:
    accident = register(world, deaths=3, injuries=2, direct_loss="12.5")
    ent = world.enterprises["ent_a1"]
    assert accident.jurisdiction_path == ent.jurisdiction_path and accident.domain.code == "D12"
    assert accident.grade == Grade.LARGER and accident.status == Status.REGISTERED
    assert accident.number.startswith("SG") and accident.direct_loss == Decimal("12.50")
    assert ChangeEvent.objects.filter(action="accidents.register", object_id=str(accident.pk)).count() == 1


def test_a_placeless_accident_needs_a_place_and_a_domain(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.accident_register(actor=world.user("office"), occurred_at=timezone.now(),
                                   accident_type=AccidentType.DROWNING, summary="落水")
    assert {"jurisdiction", "address", "domain"} <= set(exc.value.message_dict)
    accident = register(world, enterprise=None)
    assert accident.enterprise is None and accident.address == "东山街道某村民房"


def test_bad_numbers_are_refused_in_chinese_and_nothing_is_written(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, deaths=-1, direct_loss="abc")
    assert "人数" in exc.value.message_dict["deaths"][0] and "万元" in exc.value.message_dict["direct_loss"][0]
    with pytest.raises(ValidationError):
        register(world, occurred_at=timezone.now() + dt.timedelta(days=1))
    assert not Accident.objects.exists()


def test_nobody_registers_outside_their_reach(world: World) -> None:
    with pytest.raises(PermissionDenied):
        register(world, "township_a", enterprise="ent_b1")
    with pytest.raises(PermissionDenied):
        register(world, "enterprise_a")
    with pytest.raises(PermissionDenied):
        register(world, "regulator_fire", enterprise="ent_a1")  # 工贸 is the emergency bureau's
    assert not Accident.objects.exists()


def test_a_revision_within_thirty_days_regrades_and_is_kept(world: World) -> None:
    day = timezone.localdate() - dt.timedelta(days=30)
    accident = register(world, occurred_at=moment(day), deaths=2, serious_injuries=1)
    assert accident.grade == Grade.GENERAL
    revision = services.accident_revise(actor=world.user("township_a"), accident=accident, deaths=3,
                                        serious_injuries=1, injuries=0, note="一名重伤者抢救无效死亡")
    accident.refresh_from_db()
    assert accident.grade == Grade.LARGER and accident.deaths == 3
    assert (revision.grade_before, revision.grade_after) == (Grade.GENERAL, Grade.LARGER)
    assert revision.before["deaths"] == 2 and revision.after["deaths"] == 3
    assert ChangeEvent.objects.filter(action="accidents.revise", object_id=str(accident.pk)).exists()


def test_a_revision_after_the_window_is_refused_in_chinese(world: World) -> None:
    day = timezone.localdate() - dt.timedelta(days=31)
    accident = register(world, occurred_at=moment(day), deaths=1)
    with pytest.raises(ValidationError) as exc:
        services.accident_revise(actor=world.user("office"), accident=accident, deaths=2, serious_injuries=0,
                                 injuries=0)
    assert "补报期限" in exc.value.messages[0] and "第十三条" in exc.value.messages[0]
    assert not AccidentRevision.objects.exists()
    accident.refresh_from_db()
    assert accident.deaths == 1


@pytest.mark.parametrize(("days", "ok"), [(7, True), (8, False)])
def test_fire_and_road_traffic_accidents_have_seven_days(world: World, days: int, ok: bool) -> None:
    day = timezone.localdate() - dt.timedelta(days=days)
    fire = register(world, enterprise="ent_a2", persona="regulator_fire", occurred_at=moment(day),
                    accident_type=AccidentType.FIRE)
    road = register(world, enterprise=None, occurred_at=moment(day), accident_type=AccidentType.VEHICLE,
                    road_traffic=True)
    for accident, persona in ((fire, "regulator_fire"), (road, "office")):
        if ok:
            services.accident_revise(actor=world.user(persona), accident=accident, deaths=1, serious_injuries=0,
                                     injuries=0)
        else:
            with pytest.raises(ValidationError):
                services.accident_revise(actor=world.user(persona), accident=accident, deaths=1, serious_injuries=0,
                                         injuries=0)


def test_an_unchanged_revision_is_refused(world: World) -> None:
    accident = register(world, deaths=1)
    with pytest.raises(ValidationError):
        services.accident_revise(actor=world.user("office"), accident=accident, deaths=1, serious_injuries=0,
                                 injuries=0)


def test_investigation_to_closure_sets_the_one_year_evaluation_deadline(world: World) -> None:
    office = world.user("office")
    accident = register(world, occurred_at=moment(timezone.localdate() - dt.timedelta(days=60)), deaths=1)
    services.accident_transition(actor=office, accident=accident, action="investigate")
    with pytest.raises(ValidationError) as exc:
        services.accident_transition(actor=office, accident=accident, action="report", cause="违章作业")
    assert "调查报告" in str(exc.value)
    services.accident_attach(actor=office, accident=accident, file=report_pdf(), role=AttachmentRole.REPORT)
    services.finding_add(actor=office, accident=accident, kind=PartyKind.PERSON, name="欧阳明华", position="车间主任",
                         responsibility="未督促落实安全防护措施", handling="建议给予撤职处分")
    services.accident_transition(actor=office, accident=accident, action="report", cause="违章作业",
                                 direct_loss="1200")
    accident.refresh_from_db()
    assert accident.status == Status.REPORTED and accident.grade == Grade.LARGER  # the loss the report established
    approved = timezone.localdate() - dt.timedelta(days=10)
    services.accident_transition(actor=office, accident=accident, action="close", approved_on=approved)
    accident.refresh_from_db()
    assert accident.evaluation_due == approved.replace(year=approved.year + 1)
    source = SOURCES["accidents.evaluation"]
    assert list(source.open_items()) == [accident]
    assert source.responsible(accident).units[0].name == "市安委办"
    services.accident_transition(actor=office, accident=accident, action="evaluate", evaluation="整改措施已落实")
    assert not source.open_items().exists()
    assert accident.findings.get().masked_name == "欧阳某某"


def test_a_township_registers_but_does_not_investigate(world: World) -> None:
    accident = register(world, "township_a")
    with pytest.raises(PermissionDenied):
        services.accident_transition(actor=world.user("township_a"), accident=accident, action="investigate")


def test_the_approval_date_is_checked(world: World) -> None:
    office = world.user("office")
    accident = register(world)
    services.accident_transition(actor=office, accident=accident, action="investigate")
    services.accident_attach(actor=office, accident=accident, file=report_pdf(), role=AttachmentRole.REPORT)
    services.accident_transition(actor=office, accident=accident, action="report", cause="原因")
    with pytest.raises(ValidationError):
        services.accident_transition(actor=office, accident=accident, action="close",
                                     approved_on=timezone.localdate() + dt.timedelta(days=1))


def test_fire_warning_ranges_follow_the_seed(world: World) -> None:
    fire = {"accident_type": AccidentType.FIRE, "persona": "regulator_fire", "enterprise": "ent_a2"}
    assert register(world, **fire).fire_warning() == WarningRange.CITY
    assert register(world, **fire, deaths=1).fire_warning() == WarningRange.PROVINCE
    assert register(world, **fire, notable=True).fire_warning() == WarningRange.PROVINCE
    assert register(world, **fire, business_premises=False).fire_warning() == WarningRange.LOCAL
    assert register(world).fire_warning() is None


def test_an_accident_follows_its_enterprise_when_it_moves(world: World) -> None:
    from enterprises import services as enterprise_services

    accident = register(world)
    place = Jurisdiction.objects.get(name="山枣镇")
    enterprise_services.enterprise_update(actor=None, enterprise=world.enterprises["ent_a1"], jurisdiction=place)
    accident.refresh_from_db()
    assert accident.jurisdiction_path == place.path


def test_bulletin_tasks_are_kept_per_unit_and_month(world: World) -> None:
    bulletin = services.bulletin_save(actor=world.user("office"), month=dt.date(2026, 5, 17), tasks=" 开展检查 ")
    again = services.bulletin_save(actor=world.user("office"), month=dt.date(2026, 5, 1), tasks="二")
    assert bulletin.pk == again.pk and again.month == dt.date(2026, 5, 1) and again.tasks == "二"
    with pytest.raises(PermissionDenied):
        services.bulletin_save(actor=world.user("enterprise_a"), month=dt.date(2026, 5, 1), tasks="x")


def test_domain_must_belong_to_the_enterprise(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, domain=Domain.objects.get(code="D3"))
    assert "行业领域" in exc.value.message_dict["domain"][0]


def test_an_overdue_evaluation_climbs_the_escalation_ladder(world: World) -> None:
    from escalation import services as escalation
    from escalation.loaders import load_escalation_defaults
    from escalation.models import EscalationRecord

    load_escalation_defaults()
    office = world.user("office")
    accident = register(world, occurred_at=moment(dt.date(2024, 3, 1)))
    services.accident_transition(actor=office, accident=accident, action="investigate")
    services.accident_attach(actor=office, accident=accident, file=report_pdf(), role=AttachmentRole.REPORT)
    services.accident_transition(actor=office, accident=accident, action="report", cause="原因")
    services.accident_transition(actor=office, accident=accident, action="close", approved_on=dt.date(2024, 6, 3))
    accident.refresh_from_db()
    assert accident.evaluation_due == dt.date(2025, 6, 3)
    report = escalation.sweep(today=dt.date(2025, 6, 5), sources=["accidents.evaluation"])
    assert not report.errors
    assert EscalationRecord.objects.filter(source_key="accidents.evaluation", object_id=accident.pk).exists()
