"""The escalation engine, driven through its own deadline source (督办事项), across the 2024
Spring Festival: deadline 2024-02-08 (Thursday), holidays 2024-02-10..17, 2024-02-04 and
2024-02-18 are working Sundays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import ChangeEvent
from escalation import services, supervision
from escalation.choices import Action, RecordStatus
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationLadder, EscalationRecord, SupervisionItem
from escalation.registry import SOURCES
from notifications.models import Notification
from orgs.models import Unit
from workdays.services import add_workdays

D = dt.date
DEADLINE = D(2024, 2, 8)
KEY = supervision.SOURCE_KEY


@pytest.fixture
def item(world) -> SupervisionItem:  # noqa: ANN001
    load_escalation_defaults()
    return supervision.item_assign(actor=world.user("office"), title="排查东山街道老旧小区燃气管道",
                                   assignee=Unit.objects.get(name="东山街道"), deadline=DEADLINE,
                                   description="逐户排查并建立台账", today=D(2024, 1, 15))


def records(item: SupervisionItem, **kw: object) -> list[str]:
    return list(EscalationRecord.objects.filter(source_key=KEY, object_id=item.pk, **kw)
                .order_by("step__order").values_list("action", flat=True))


def township_inbox(world, kind: str | None = None) -> list[Notification]:  # noqa: ANN001
    qs = Notification.objects.filter(recipient=world.users["township_a"])
    return list(qs.filter(kind=kind) if kind else qs)


def test_source_registered() -> None:
    assert KEY in SOURCES and SOURCES[KEY].label == "督办事项"


def test_reminders_before_deadline_once_per_threshold(world, item) -> None:  # noqa: ANN001
    # (02-02, 02-08] holds 5 working days (the Sunday 02-04 works): no reminder yet (thresholds 3 and 1).
    services.sweep(today=D(2024, 2, 2))
    assert township_inbox(world, "reminder") == []
    report = services.sweep(today=D(2024, 2, 5))  # 3 working days left
    assert report.reminders == 1
    assert len(township_inbox(world, "reminder")) == 1
    assert services.sweep(today=D(2024, 2, 6)).reminders == 0  # 2 left: the 3-day reminder was sent
    assert services.sweep(today=D(2024, 2, 7)).reminders == 1  # 1 left
    assert services.sweep(today=DEADLINE).reminders == 0
    assert len(township_inbox(world, "reminder")) == 2
    assert records(item) == []


def test_ladder_across_spring_festival(world, item) -> None:  # noqa: ANN001
    services.sweep(today=DEADLINE)
    assert records(item) == []  # due today is not overdue
    services.sweep(today=D(2024, 2, 9))
    assert records(item) == [Action.REMINDER]
    assert len(township_inbox(world, "overdue")) == 1
    # 通报 after 5 working days past the deadline: 02-09, 02-18, 02-19, 02-20, 02-21.
    assert add_workdays(DEADLINE, 5) == D(2024, 2, 21)
    for day in (D(2024, 2, 12), D(2024, 2, 17), D(2024, 2, 18), D(2024, 2, 20)):
        services.sweep(today=day)
        assert records(item) == [Action.REMINDER], day
    report = services.sweep(today=D(2024, 2, 21))
    assert report.applied == 1
    assert records(item) == [Action.REMINDER, Action.CIRCULAR]
    circular = EscalationRecord.objects.get(object_id=item.pk, action=Action.CIRCULAR)
    assert circular.status == RecordStatus.APPLIED and circular.overdue_workdays == 5
    assert circular.due_date == DEADLINE
    assert circular.jurisdiction_path == item.jurisdiction_path
    # 通报 goes to the responsible unit, the supervisors (the assigning officer) and the office.
    assert Notification.objects.filter(kind="escalation", recipient=world.users["office"]).exists()
    assert len(township_inbox(world, "escalation")) == 1


def test_rerun_creates_nothing_new(world, item) -> None:  # noqa: ANN001
    services.sweep(today=D(2024, 2, 21))
    counts = (EscalationRecord.objects.count(), Notification.objects.count(),
              ChangeEvent.objects.filter(action__startswith="escalation.").count())
    again = services.sweep(today=D(2024, 2, 21))
    assert (again.reminders, again.applied, again.proposed, again.notifications) == (0, 0, 0, 0)
    assert counts == (EscalationRecord.objects.count(), Notification.objects.count(),
                      ChangeEvent.objects.filter(action__startswith="escalation.").count())


def test_catch_up_records_every_step_but_messages_once(world, item) -> None:  # noqa: ANN001
    report = services.sweep(today=D(2024, 2, 28))  # 10 working days past: 提醒, 通报 and a proposed 约谈
    assert records(item) == [Action.REMINDER, Action.CIRCULAR, Action.TALK]
    assert report.applied == 2 and report.proposed == 1
    assert len(township_inbox(world, "escalation")) == 1
    assert township_inbox(world, "overdue") == []


def test_extended_deadline_restarts_the_ladder(world, item) -> None:  # noqa: ANN001
    services.sweep(today=D(2024, 2, 21))
    assert records(item) == [Action.REMINDER, Action.CIRCULAR]
    supervision.item_extend(actor=world.user("office"), item=item, deadline=D(2024, 3, 15), note="春节影响，延期")
    assert services.sweep(today=D(2024, 2, 22)).applied == 0
    services.sweep(today=D(2024, 3, 18))
    assert records(item, due_date=D(2024, 3, 15)) == [Action.REMINDER]
    assert records(item, due_date=DEADLINE) == [Action.REMINDER, Action.CIRCULAR]
    item.refresh_from_db()
    assert item.original_deadline == DEADLINE


def test_proposed_talk_confirmed_by_office(world, item) -> None:  # noqa: ANN001
    assert add_workdays(DEADLINE, 10) == D(2024, 2, 28)
    services.sweep(today=D(2024, 2, 27))
    assert not EscalationRecord.objects.filter(action=Action.TALK).exists()
    report = services.sweep(today=D(2024, 2, 28))
    assert report.proposed == 1
    talk = EscalationRecord.objects.get(object_id=item.pk, action=Action.TALK)
    assert talk.status == RecordStatus.PROPOSED
    assert Notification.objects.filter(kind="decision", recipient=world.users["office"]).count() == 1
    assert not Notification.objects.filter(kind="decision", recipient=world.users["township_a"]).exists()

    with pytest.raises(PermissionDenied):
        services.decide(actor=world.user("township_a"), record=talk, confirm=True, note="")
    with pytest.raises(PermissionDenied):
        services.decide(actor=world.user("regulator"), record=talk, confirm=True, note="")
    office = world.user("office")
    services.decide(actor=office, record=talk, confirm=True, note="约谈东山街道分管负责人")
    talk.refresh_from_db()
    assert talk.status == RecordStatus.CONFIRMED and talk.decided_by_id == office.pk and talk.decided_at
    assert "约谈东山街道分管负责人" in talk.note
    assert ChangeEvent.objects.filter(action="escalation.confirm", object_id=str(talk.pk),
                                      actor_id=office.pk).exists()
    assert any("约谈" in n.title for n in township_inbox(world, "escalation"))
    with pytest.raises(ValidationError):
        services.decide(actor=office, record=talk, confirm=False, note="重复")


def test_dismiss_needs_a_reason(world, item) -> None:  # noqa: ANN001
    services.sweep(today=D(2024, 2, 28))
    talk = EscalationRecord.objects.get(object_id=item.pk, action=Action.TALK)
    with pytest.raises(ValidationError):
        services.decide(actor=world.user("office"), record=talk, confirm=False, note="")
    services.decide(actor=world.user("office"), record=talk, confirm=False, note="已基本完成")
    talk.refresh_from_db()
    assert talk.status == RecordStatus.DISMISSED


def test_done_item_is_not_escalated(world, item) -> None:  # noqa: ANN001
    supervision.item_report_done(actor=world.user("township_a"), item=item, note="已全部排查")
    services.sweep(today=D(2024, 2, 28))
    assert records(item) == []


def test_escalate_manually_by_office_only(world, item) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        services.escalate_manually(actor=world.user("township_a"), source_key=KEY, obj=item,
                                   action=Action.LISTED, note="x")
    rec = services.escalate_manually(actor=world.user("office"), source_key=KEY, obj=item, action=Action.WARNING,
                                     note="进度严重滞后")
    assert rec.manual and rec.status == RecordStatus.CONFIRMED and rec.decided_by_id == world.users["office"].pk
    assert any("警示" in n.title for n in township_inbox(world, "escalation"))


def test_township_b_sees_no_record_of_township_a(world, item) -> None:  # noqa: ANN001
    services.sweep(today=D(2024, 2, 28))
    assert EscalationRecord.objects.visible_to(world.user("township_a")).count() == 3
    assert EscalationRecord.objects.visible_to(world.user("office")).count() == 3
    assert EscalationRecord.objects.visible_to(world.user("township_b")).count() == 0
    assert EscalationRecord.objects.visible_to(world.user("sysadmin")).count() == 0
    with pytest.raises(PermissionDenied):
        services.escalate_manually(actor=world.user("township_b"), source_key=KEY, obj=item, action=Action.TALK,
                                   note="x")


def test_ladder_flag_only_when_missing(world) -> None:  # noqa: ANN001
    # Without the default ladder the sweep still reminds, records nothing, and reports the gap.
    item = supervision.item_assign(actor=world.user("office"), title="测试", assignee=Unit.objects.get(name="山枣镇"),
                                   deadline=DEADLINE, today=D(2024, 1, 1))
    report = services.sweep(today=D(2024, 2, 28))
    assert records(item) == [] and report.errors


def test_office_ladder_for_source_overrides_default(world, item) -> None:  # noqa: ANN001
    services.ladder_save(actor=world.user("office"), ladder=None,
                         values={"code": "fast", "name": "快速督办", "applies_to": KEY, "active": True},
                         steps=[{"order": 1, "action": Action.EXPOSURE, "after_workdays": 1, "notify_responsible": True,
                                 "notify_supervisors": False, "notify_office": False, "needs_decision": False}])
    services.sweep(today=D(2024, 2, 9))
    assert records(item) == [Action.EXPOSURE]
    assert EscalationLadder.objects.get(code="fast").steps.count() == 1
    with pytest.raises(PermissionDenied):
        services.ladder_save(actor=world.user("township_a"), ladder=None, values={"code": "x", "name": "x"}, steps=[])


def test_loader_is_idempotent(db) -> None:  # noqa: ANN001
    load_escalation_defaults()
    lines = load_escalation_defaults()
    assert all("已存在" in line for line in lines)
    default = EscalationLadder.objects.get(code="default")
    steps = list(default.steps.values_list("action", "after_workdays", "needs_decision"))
    assert steps == [(Action.REMINDER, 0, False), (Action.CIRCULAR, 5, False), (Action.TALK, 10, True),
                     (Action.LISTED, 20, True)]
    assert EscalationLadder.objects.get(code="expiry").steps.count() == 1


def test_datetime_deadline_source(world, item) -> None:  # noqa: ANN001
    """A source whose deadline is a DateTimeField (e.g. a permit's window end) is compared as a local date."""
    from escalation.registry import DeadlineSource, Recipients, register_source

    item.created_at = dt.datetime(2024, 2, 8, 23, 30, tzinfo=dt.UTC)  # 2024-02-09 07:30 in Asia/Shanghai
    item.save(update_fields=["created_at"])
    source = DeadlineSource(key="tests.window", label="测试窗口", model=SupervisionItem,
                            open_items=lambda: SupervisionItem.objects.all(), due_field="created_at",
                            title=lambda o: o.title, url=lambda o: "/", remind_before=(1,),
                            responsible=lambda o: Recipients(units=(o.assignee,)))
    register_source(source)
    try:
        assert source.due_lookup == "created_at__date"
        services.sweep(today=D(2024, 2, 9), sources=["tests.window"])
        assert not EscalationRecord.objects.filter(source_key="tests.window").exists()
        services.sweep(today=D(2024, 2, 18), sources=["tests.window"])
        rec = EscalationRecord.objects.get(source_key="tests.window")
        assert rec.due_date == D(2024, 2, 9) and rec.action == Action.REMINDER and rec.overdue_workdays == 1
    finally:
        SOURCES.pop("tests.window", None)


def test_register_source_rejects_bad_definitions() -> None:
    from escalation.registry import DeadlineSource, Recipients, register_source

    with pytest.raises(ValueError):
        register_source(DeadlineSource(key="nodot", label="x", model=SupervisionItem, open_items=lambda: None,
                                       due_field="deadline", title=str, url=str, responsible=lambda o: Recipients()))
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist):
        register_source(DeadlineSource(key="a.b", label="x", model=SupervisionItem, open_items=lambda: None,
                                       due_field="nope", title=str, url=str, responsible=lambda o: Recipients()))


def test_catch_up_shows_one_decision_and_higher_confirmation_settles_lower(world, item) -> None:  # noqa: ANN001
    from escalation.selectors import pending_decisions

    services.sweep(today=add_workdays(DEADLINE, 20))
    assert records(item) == [Action.REMINDER, Action.CIRCULAR, Action.TALK, Action.LISTED]
    office = world.user("office")
    assert [r.action for r in pending_decisions(office)] == [Action.LISTED]
    assert len(pending_decisions(office, highest_only=False)) == 2
    # The office is asked once (for the highest step), not twice.
    assert Notification.objects.filter(kind="decision", recipient=world.users["office"]).count() == 1
    listed = EscalationRecord.objects.get(action=Action.LISTED)
    services.decide(actor=office, record=listed, confirm=True, note="挂牌督办")
    talk = EscalationRecord.objects.get(action=Action.TALK)
    assert talk.status == RecordStatus.DISMISSED and talk.decided_by_id == office.pk and "挂牌督办" in talk.note
    assert list(pending_decisions(office)) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.dates(min_value=D(2024, 1, 20), max_value=D(2024, 4, 30)), min_size=1, max_size=6))
def test_any_order_of_sweeps_yields_exactly_the_passed_steps(world, item, days: list[dt.date]) -> None:  # noqa: ANN001
    from workdays.services import workdays_between

    EscalationRecord.objects.all().delete()
    Notification.objects.all().delete()
    for day in days:
        services.sweep(today=day, sources=[KEY])
    latest = max(days)
    over = workdays_between(DEADLINE, latest) if latest > DEADLINE else -1
    expected = [a for a, n in [(Action.REMINDER, 0), (Action.CIRCULAR, 5), (Action.TALK, 10), (Action.LISTED, 20)]
                if latest > DEADLINE and n <= over]
    assert records(item) == expected  # each passed step once, none early, whatever the order of runs
    reminders = Notification.objects.filter(kind="reminder", recipient=world.users["township_a"]).count()
    assert reminders <= 2  # thresholds (3, 1): at most one message each
