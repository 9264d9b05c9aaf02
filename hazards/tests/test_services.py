from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import ChangeEvent
from hazards import services
from hazards.choices import Grade, Source, Status
from hazards.models import Hazard, HazardEvent
from hazards.tests.factories import enterprise_hazard, fill_plan, photo, place_hazard
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_register_copies_scope_keys_from_enterprise(world):
    hazard = enterprise_hazard(world)
    ent = world.enterprises["ent_a1"]
    assert hazard.jurisdiction_id == ent.jurisdiction_id
    assert hazard.jurisdiction_path == ent.jurisdiction.path
    assert hazard.domain.code == "D12"
    assert hazard.status == Status.REGISTERED and hazard.grade is None
    assert hazard.number.startswith("YH")
    assert HazardEvent.objects.filter(hazard=hazard, action="register").count() == 1
    assert ChangeEvent.objects.for_object(hazard).filter(action="hazards.register").count() == 1


def test_enterprise_cannot_register_for_another_enterprise(world):
    with pytest.raises(PermissionDenied):
        enterprise_hazard(world, enterprise_key="ent_b1")


def test_registering_a_major_hazard_reports_it_to_the_regulator(world):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    assert hazard.status == Status.ASSESSED
    assert hazard.supervisor_unit.name == "市应急管理局"
    assert hazard.report_sent_at is not None
    assert list(hazard.events.values_list("action", flat=True)) == ["register", "assess"]


def test_major_hazard_needs_the_report_contents(world):
    with pytest.raises(ValidationError):
        enterprise_hazard(world, grade=Grade.MAJOR, report_cause="", report_analysis="")
    assert not Hazard.objects.filter(description="配电柜前堆放杂物", grade=Grade.MAJOR).exists()


def test_placeless_hazard_needs_place_and_territory(world):
    hazard = place_hazard(world)
    assert hazard.enterprise is None and hazard.jurisdiction.name == "东山街道"
    with pytest.raises(ValidationError):
        place_hazard(world, place="")


def test_township_cannot_register_in_another_township(world):
    with pytest.raises(PermissionDenied):
        place_hazard(world, place_name="山枣镇")


def test_plan_is_required_before_rectification(world):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    user = world.user("enterprise_a")
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=user)
    services.plan_save(actor=user, hazard=hazard, responsible_person="张三", measures="清理")
    with pytest.raises(ValidationError) as exc:
        services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=user)
    assert "整改资金" in str(exc.value)
    fill_plan(world, hazard)
    hazard = services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=user)
    assert hazard.deadline == hazard.original_deadline is not None


def test_major_plan_needs_the_six_parts(world):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    user = world.user("enterprise_a")
    services.plan_save(actor=user, hazard=hazard, responsible_person="张三", measures="m", funds=1,
                       deadline=timezone.localdate() + dt.timedelta(days=5), interim_measures="i")
    with pytest.raises(ValidationError) as exc:
        services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=user)
    assert "治理的目标和任务" in str(exc.value)


def test_self_found_general_hazard_closed_by_enterprise(world):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    user = world.user("enterprise_a")
    fill_plan(world, hazard)
    for to, data in [(Status.PLANNED, {}), (Status.RECTIFYING, {}), (Status.APPLIED, {"result": "完成"}),
                     (Status.ACCEPTED, {}), (Status.CLOSED, {})]:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=user, **data)
    assert hazard.status == Status.CLOSED and hazard.rectified_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.hazard_update(actor=user, hazard=hazard, description="改")


def test_major_hazard_accepted_only_by_supervising_regulator(world):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    ent = world.user("enterprise_a")
    fill_plan(world, hazard)
    for to, data in [(Status.PLANNED, {}), (Status.RECTIFYING, {}), (Status.APPLIED, {"result": "完成"})]:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=ent, **data)
    assert hazard.review_days_left() == 10
    for key in ("enterprise_a", "township_a", "office", "regulator_fire"):
        with pytest.raises(PermissionDenied):
            services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=world.user(key))
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=world.user("regulator"))  # no reason
    hazard = services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=world.user("regulator"),
                                        note="防火堤未做闭水试验")
    assert hazard.applied_at is None
    hazard = services.hazard_transition(hazard=hazard, to=Status.APPLIED, actor=ent, result="已补做闭水试验")
    hazard = services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=world.user("regulator"))
    hazard = services.hazard_transition(hazard=hazard, to=Status.CLOSED, actor=world.user("regulator"))
    assert hazard.status == Status.CLOSED


def test_government_found_hazard_accepted_by_that_authority(world):
    hazard = enterprise_hazard(world, actor_key="inspector", source=Source.GOVERNMENT, grade=Grade.GENERAL,
                               deadline=timezone.localdate() + dt.timedelta(days=7))
    assert hazard.finder_unit.name == "市应急管理局"
    fill_plan(world, hazard, days=5)
    with pytest.raises(ValidationError):  # beyond the inspector's deadline: needs 延期
        fill_plan(world, hazard, days=30)
    ent = world.user("enterprise_a")
    for to, data in [(Status.PLANNED, {}), (Status.RECTIFYING, {}), (Status.APPLIED, {"result": "完成"})]:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=ent, **data)
    with pytest.raises(PermissionDenied):
        services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=ent)
    hazard = services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=world.user("regulator"))
    assert hazard.status == Status.ACCEPTED


def test_extension_keeps_both_deadlines(world):
    hazard = enterprise_hazard(world, actor_key="inspector", source=Source.GOVERNMENT, grade=Grade.GENERAL)
    fill_plan(world, hazard, days=5)
    ent = world.user("enterprise_a")
    hazard = services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=ent)
    hazard = services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=ent)
    original = hazard.deadline
    new = original + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=ent, note="设备未到货", deadline=new)
    hazard = services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=world.user("inspector"),
                                        note="设备未到货", deadline=new)
    assert (hazard.original_deadline, hazard.deadline) == (original, new) and hazard.extended


def test_spot_fix_needs_photos_and_general_grade(world):
    hazard = enterprise_hazard(world)
    user = world.user("enterprise_a")
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.CLOSED, actor=user, grade=Grade.GENERAL)
    services.hazard_attach(actor=user, hazard=hazard, file=photo(), role="before")
    services.hazard_attach(actor=user, hazard=hazard, file=photo(), role="after")
    hazard = services.hazard_transition(hazard=hazard, to=Status.CLOSED, actor=user, result="当场清理")
    assert hazard.status == Status.CLOSED and hazard.grade == Grade.GENERAL


def test_void_needs_authority_and_reason(world):
    hazard = enterprise_hazard(world)
    with pytest.raises(PermissionDenied):
        services.hazard_transition(hazard=hazard, to=Status.VOIDED, actor=world.user("enterprise_a"), note="重复")
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.VOIDED, actor=world.user("township_a"))
    hazard = services.hazard_transition(hazard=hazard, to=Status.VOIDED, actor=world.user("township_a"), note="重复")
    assert hazard.status == Status.VOIDED
    with pytest.raises(ValidationError):
        services.hazard_update(actor=world.user("township_a"), hazard=hazard, description="x")


def test_no_step_can_be_skipped(world):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=world.user("enterprise_a"))
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=world.user("enterprise_a"))


def test_outsider_cannot_move_a_hazard(world):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    with pytest.raises(PermissionDenied):
        services.hazard_transition(hazard=hazard, to=Status.VOIDED, actor=world.user("township_b"), note="x")


def test_default_supervisor_is_department_of_domain(world):
    hazard = place_hazard(world, domain="D3")
    from hazards.selectors import default_supervisor

    assert default_supervisor(hazard) == Unit.objects.get(name="市消防救援大队")


def test_enterprise_sensor_alarm_is_graded_and_closed_by_the_enterprise(world):
    hazard = enterprise_hazard(world, source=Source.SENSOR, grade=Grade.GENERAL)
    assert hazard.status == Status.ASSESSED
    fill_plan(world, hazard)
    user = world.user("enterprise_a")
    for to, data in [(Status.PLANNED, {}), (Status.RECTIFYING, {}), (Status.APPLIED, {"result": "完成"}),
                     (Status.ACCEPTED, {}), (Status.CLOSED, {})]:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=user, **data)
    assert hazard.status == Status.CLOSED


def test_public_report_is_not_closed_by_the_enterprise(world):
    hazard = enterprise_hazard(world, actor_key="township_a", source=Source.PUBLIC_REPORT, grade=Grade.GENERAL,
                               reporter="匿名电话")
    fill_plan(world, hazard)
    ent = world.user("enterprise_a")
    for to, data in [(Status.PLANNED, {}), (Status.RECTIFYING, {}), (Status.APPLIED, {"result": "完成"})]:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=ent, **data)
    with pytest.raises(PermissionDenied):
        services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=ent)
    hazard = services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=world.user("township_a"))
    assert hazard.status == Status.ACCEPTED
