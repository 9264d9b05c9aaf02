"""The credit services and collectors: one event per source object, what counts, the class, the list, repair,
and the class feeding the 分类分级 class that the 双随机 draw and the plans read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accidents import services as accident_services
from accidents.tests.factories import register as accident_register
from credit import collectors, rules, services
from credit.choices import BlacklistStatus, CreditClass, EventKind, RepairStatus
from credit.exposure import blacklist_items
from credit.models import CreditEvent
from credit.selectors import classes_for_ids, standing
from credit.tests.factories import days_ago, fresh_enterprise, listed, obstruction
from enforcement import services as enforcement_services
from enforcement.choices import PenaltyType
from hazards.choices import Grade as HazardGrade
from hazards.tests.factories import enterprise_hazard
from risk.selectors import enterprise_class
from tests.personas import World
from tips.tests.factories import submit, to_verified

pytestmark = pytest.mark.django_db


def _decided(world: World, fine: str = "30000", types: tuple[str, ...] = (PenaltyType.FINE,)) -> object:
    regulator = world.user("regulator")
    case = enforcement_services.case_open(actor=regulator, enterprise=world.enterprises["ent_a1"], cause="未消除隐患")
    case = enforcement_services.case_transition(actor=regulator, case=case, action="investigate")
    case = enforcement_services.case_transition(actor=regulator, case=case, action="notify", facts="事实",
                                                basis="第一百零二条", penalty_types=list(types), fine_amount=fine)
    case = enforcement_services.case_transition(actor=regulator, case=case, action="hear", statement="放弃")
    return enforcement_services.case_transition(actor=regulator, case=case, action="decide",
                                                penalty_types=list(types), fine_amount=fine)


def _events(kind: str) -> list[CreditEvent]:
    return list(CreditEvent.objects.filter(kind=kind))


def test_a_penalty_decision_is_one_event_and_its_withdrawal_revokes_it(world: World) -> None:
    case = _decided(world)
    today = timezone.localdate()
    [event] = _events(EventKind.PENALTY)
    assert event.points == rules.PENALTY_POINTS and event.source_id == case.pk and event.department_id
    assert collectors.collect_all() == {"penalties": 0, "overdue_major": 0, "accidents": 0, "tips": 0,
                                        "no_accident": 0}
    assert standing(world.enterprises["ent_a1"], today).score == 90
    enforcement_services.case_withdraw(actor=world.user("regulator"), case=case, reason="复议撤销")
    event.refresh_from_db()
    assert event.revoked_at is not None and not rules.counts(event, today)
    assert standing(world.enterprises["ent_a1"], today).klass == CreditClass.A


def test_a_heavy_penalty_counts_double(world: World) -> None:
    _decided(world, fine="150000")
    assert _events(EventKind.PENALTY)[0].points == rules.PENALTY_HEAVY_POINTS


def test_collectors_add_each_source_once(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    hazard = enterprise_hazard(world, grade=HazardGrade.MAJOR, deadline=days_ago(3), today=days_ago(30))
    accident = accident_register(world, deaths=1)
    tip = to_verified(world, submit(world, enterprise=ent))
    assert tip.confirmed
    first = collectors.collect_all()
    assert first["overdue_major"] == 1 and first["accidents"] == 1 and first["tips"] == 1
    assert set(collectors.collect_all().values()) == {0}
    [h] = _events(EventKind.OVERDUE_MAJOR)
    assert h.source_id == hazard.pk and h.occurred_on == hazard.deadline + dt.timedelta(days=1)
    assert h.expires_on == rules.add_years(h.occurred_on, 3)
    [a] = _events(EventKind.ACCIDENT)
    assert a.points == rules.ACCIDENT_POINTS["general"]
    # 补报: three deaths make it 较大; the event follows.
    accident_services.accident_revise(actor=world.user("office"), accident=accident, deaths=3, serious_injuries=0,
                                      injuries=0, note="补报")
    collectors.collect_all()
    a.refresh_from_db()
    assert a.points == rules.ACCIDENT_POINTS["larger"]
    [t] = _events(EventKind.CONFIRMED_TIP)
    assert t.expires_on == rules.add_years(t.occurred_on, 1) and "王小明" not in t.grounds
    assert standing(ent, timezone.localdate()).score == 100 - 15 - 45 - 5


def test_an_unconfirmed_tip_and_an_accident_without_enterprise_give_nothing(world: World) -> None:
    to_verified(world, submit(world, enterprise=world.enterprises["ent_a1"]), confirmed=False)
    accident_register(world, enterprise=None)
    assert set(collectors.collect_all().values()) == {0}


def test_no_accident_years_are_a_positive_event(world: World) -> None:
    from enterprises.models import Enterprise

    old = timezone.now() - dt.timedelta(days=365 * 4)
    Enterprise.objects.filter(pk=world.enterprises["ent_b1"].pk).update(created_at=old)
    Enterprise.objects.filter(pk=world.enterprises["ent_a1"].pk).update(created_at=old)
    accident_register(world, occurred_at=timezone.now() - dt.timedelta(days=400))
    assert collectors.collect_all()["no_accident"] == 1
    [e] = _events(EventKind.NO_ACCIDENT)
    assert e.enterprise_id == world.enterprises["ent_b1"].pk and e.points > 0


def test_manual_events_need_own_scope_and_a_manual_kind(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    with pytest.raises(PermissionDenied):
        obstruction(world, actor="regulator_fire")
    with pytest.raises(PermissionDenied):
        obstruction(world, actor="enterprise_a")
    with pytest.raises(ValidationError):
        services.event_register(actor=world.user("regulator"), enterprise=ent, kind=EventKind.PENALTY, grounds="x",
                                occurred_on=days_ago(1))
    with pytest.raises(ValidationError):
        services.event_register(actor=world.user("regulator"), enterprise=ent, kind=EventKind.STANDARDIZATION,
                                grounds="二级", occurred_on=days_ago(1), level="9")
    std = services.event_register(actor=world.user("inspector"), enterprise=ent, kind=EventKind.STANDARDIZATION,
                                  grounds="安全生产标准化二级企业", occurred_on=days_ago(1), level="2")
    assert std.points == 10 and standing(ent, timezone.localdate()).score == 110
    e = obstruction(world, days=1)
    services.event_revoke(actor=world.user("regulator"), event=e, reason="误录")
    assert standing(ent, timezone.localdate()).score == 110


def test_blacklist_makes_the_class_d_and_the_risk_class_a(world: World) -> None:
    ent = fresh_enterprise()
    today = timezone.localdate()
    before = enterprise_class(ent).klass
    entry = listed(world, ent)
    assert entry.status == BlacklistStatus.LISTED and entry.expires_on == rules.add_years(today, 3)
    assert entry.decided_by_id == world.users["regulator"].pk and entry.department.name == "市应急管理局"
    assert classes_for_ids([ent.pk], today) == {ent.pk: CreditClass.D}
    info = enterprise_class(ent)
    assert before != "a" and info.klass == "a" and any("严重失信" in r for r in info.reasons)
    with pytest.raises(ValidationError):
        services.blacklist_propose(actor=world.user("regulator"), enterprise=ent, grounds="再次")
    services.blacklist_transition(actor=world.user("office"), entry=entry, action="remove", note="依法移出")
    assert classes_for_ids([ent.pk], today) == {}
    assert enterprise_class(ent).klass == before


def test_credit_c_raises_the_class_in_the_draw_snapshot(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    department = world.user("regulator").unit
    def klass() -> str:
        rows = enforcement_services.population_snapshot(department=department, filters={}, cap=2, year=2026)
        return next(r["class"] for r in rows if r["id"] == f"e{ent.pk}")

    assert klass() == "c"  # not assessed
    services.event_register(actor=world.user("regulator"), enterprise=ent, kind=EventKind.OBSTRUCTION, grounds="阻碍检查", occurred_on=days_ago(10))
    assert standing(ent, timezone.localdate()).klass == CreditClass.C
    assert klass() == "b"
    rows = enforcement_services.population_snapshot(department=department, filters={}, cap=9, year=2026,
                                                    stratify="class_cap")
    assert next(r["cap_left"] for r in rows if r["id"] == f"e{ent.pk}") == 2  # B: twice a year


def test_the_exposure_board_masks_names_and_drops_ended_entries(world: World) -> None:
    ent = fresh_enterprise(legal_representative="张三丰")
    listed(world, ent, grounds="法定代表人张三丰拒绝检查，电话13912345678")
    [item] = blacklist_items(timezone.localdate())
    assert "张三丰" not in item.grounds and "13912345678" not in item.grounds and item.subject == ent.name
    assert blacklist_items(timezone.localdate() + dt.timedelta(days=3 * 366)) == []


def test_repair_conditions_and_approval(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    old, young = obstruction(world, days=400), obstruction(world, days=30, grounds="阻碍检查")
    with pytest.raises(PermissionDenied):
        services.repair_apply(actor=world.user("regulator"), enterprise=ent, events=[old], rectification="x",
                              commitment="y")
    with pytest.raises(ValidationError):
        services.repair_apply(actor=world.user("enterprise_a"), enterprise=ent, events=[old], rectification="",
                              commitment="承诺")
    application = services.repair_apply(actor=world.user("enterprise_a"), enterprise=ent, events=[old, young],
                                         rectification="已整改", commitment="承诺守法")
    with pytest.raises(ValidationError):  # the young event has not counted a year
        services.repair_transition(actor=world.user("regulator"), application=application, action="approve")
    with pytest.raises(PermissionDenied):
        services.repair_transition(actor=world.user("enterprise_a"), application=application, action="approve")
    application = services.repair_transition(actor=world.user("regulator"), application=application, action="reject",
                                             note="未满最短公示期")
    assert application.status == RepairStatus.REJECTED
    application = services.repair_apply(actor=world.user("enterprise_a"), enterprise=ent, events=[old],
                                         rectification="已整改", commitment="承诺守法")
    services.repair_transition(actor=world.user("office"), application=application, action="approve")
    old.refresh_from_db()
    assert old.repaired_at is not None and old.repair_id == application.pk
    assert standing(ent, timezone.localdate()).score == 100 - 30


def test_repair_of_a_listing_removes_it(world: World) -> None:
    ent = fresh_enterprise()
    entry = listed(world, ent, days=400)
    from accounts import services as account_services
    from accounts.choices import Role

    user = account_services.user_create(actor=None, username="ent_repair", password="Persona#2026", full_name="企业",
                                        enterprise=ent, must_change_password=False)
    account_services.role_grant(actor=None, user=user, role=Role.ENTERPRISE)
    application = services.repair_apply(actor=user, enterprise=ent, blacklist_entry=entry, rectification="已整改",
                                        commitment="承诺", penalty_fulfilled=True)
    services.repair_transition(actor=world.user("regulator"), application=application, action="approve")
    entry.refresh_from_db()
    assert entry.status == BlacklistStatus.REMOVED and "信用修复" in entry.removal_reason
    assert standing(ent, timezone.localdate()).klass == CreditClass.A


def test_a_penalty_repair_needs_the_penalty_executed(world: World) -> None:
    case = _decided(world)
    event = CreditEvent.objects.get(kind=EventKind.PENALTY)
    CreditEvent.objects.filter(pk=event.pk).update(occurred_on=days_ago(200))
    application = services.repair_apply(actor=world.user("enterprise_a"), enterprise=world.enterprises["ent_a1"],
                                         events=[event], rectification="已整改", commitment="承诺",
                                         penalty_fulfilled=True)
    unmet = [c for c in services.repair_conditions(application, timezone.localdate()) if not c.met]
    assert len(unmet) == 1 and "处罚" in unmet[0].label
    assert case.fine_amount == Decimal("30000.00")
