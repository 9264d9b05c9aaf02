"""The set-based sweep against a small reference of the per-item engine it replaced, its digests, and its
query count (independent of how many items are overdue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import ChangeEvent
from escalation import services, supervision
from escalation.choices import Action, ItemStatus, RecordStatus
from escalation.models import (
    EscalationLadder,
    EscalationRecord,
    EscalationStep,
    ReminderMark,
    SupervisionItem,
)
from escalation.registry import SOURCES, RecipientIds, ids_of
from notifications.choices import Kind
from notifications.models import Notification
from orgs.models import Unit
from workdays.services import add_workdays, workdays_between

D = dt.date
KEY = supervision.SOURCE_KEY
BASE = D(2024, 2, 1)  # the 2024 Spring Festival (02-10..17) and two working Sundays lie ahead
UNITS = ["东山街道", "山枣镇", "市应急管理局"]


# -- the reference: the per-item climb the bulk sweep replaced, in miniature -----------------------------------
def reference_climb(items: list[SupervisionItem], steps: list[EscalationStep], today: dt.date,
                    done: dict[tuple[int, int, dt.date], tuple[str, str, int]]) -> None:
    """Per item, per step: file every step whose threshold has passed and that was not filed for this deadline."""
    for item in items:
        if item.status != ItemStatus.OPEN or item.deadline >= today:
            continue
        over = workdays_between(item.deadline, today)
        for step in steps:
            key = (item.pk, step.pk, item.deadline)
            if step.after_workdays <= over and key not in done:
                status = RecordStatus.PROPOSED if step.needs_decision else RecordStatus.APPLIED
                done[key] = (step.action, status, over)


def filed() -> dict[tuple[int, int, dt.date], tuple[str, str, int]]:
    return {(r.object_id, r.step_id, r.due_date): (r.action, r.status, r.overdue_workdays)
            for r in EscalationRecord.objects.filter(source_key=KEY, step__isnull=False)}


def make_ladder(spec: list[tuple[int, bool]]) -> list[EscalationStep]:
    ladder = EscalationLadder.objects.create(code="prop", name="随机阶梯", applies_to=KEY)
    actions = list(Action.values)
    return [EscalationStep.objects.create(ladder=ladder, order=i, action=actions[i % len(actions)], after_workdays=after,
                                          needs_decision=decide, notify_supervisors=True, notify_office=i % 2 == 0)
            for i, (after, decide) in enumerate(spec)]


def make_items(world: Any, offsets: list[int]) -> list[SupervisionItem]:
    units = {u.name: u for u in Unit.objects.filter(name__in=UNITS)}
    office = world.users["office"]
    rows = []
    for i, off in enumerate(offsets):
        unit = units[UNITS[i % len(UNITS)]]
        due = BASE + dt.timedelta(days=off)
        rows.append(SupervisionItem(title=f"事项{i}", assignee=unit, jurisdiction_path=unit.jurisdiction_path,
                                    deadline=due, original_deadline=due, assigned_by=office))
    return SupervisionItem.objects.bulk_create(rows)


def reset() -> None:
    EscalationRecord.objects.all().delete()
    ReminderMark.objects.all().delete()
    Notification.objects.all().delete()
    SupervisionItem.objects.all().delete()
    EscalationLadder.objects.all().delete()


ladders = st.lists(st.tuples(st.integers(min_value=0, max_value=12), st.booleans()), min_size=1, max_size=4,
                   unique_by=lambda s: s[0])
# A run: the day of a sweep, and before it optionally an item's deadline moved (延期) or an item closed.
runs = st.lists(st.tuples(st.integers(min_value=0, max_value=45),
                          st.one_of(st.none(), st.tuples(st.integers(0, 30), st.sampled_from(["extend", "close"]),
                                                         st.integers(1, 10)))),
                min_size=1, max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=-20, max_value=25), min_size=1, max_size=14), spec=ladders,
       plan=runs, batch=st.integers(min_value=1, max_value=5))
def test_bulk_sweep_files_exactly_what_the_per_item_engine_would(world, offsets, spec, plan, batch) -> None:  # noqa: ANN001
    reset()
    steps = make_ladder(spec)
    items = make_items(world, offsets)
    expected: dict[tuple[int, int, dt.date], tuple[str, str, int]] = {}
    for day_offset, change in plan:
        if change is not None:
            which, what, days = change
            item = items[which % len(items)]
            if what == "extend":
                item.deadline = item.deadline + dt.timedelta(days=days)
            else:
                item.status = ItemStatus.CLOSED
            item.save(update_fields=["deadline", "status"])
        today = BASE + dt.timedelta(days=day_offset)
        reference_climb(items, steps, today, expected)
        report = services.sweep(today=today, sources=[KEY], batch=batch)
        assert not report.errors, report.errors
        assert filed() == expected, today
    # Re-running the last day changes nothing: no record, no audit event, no message.
    before = (EscalationRecord.objects.count(), ChangeEvent.objects.count(), Notification.objects.count(),
              ReminderMark.objects.count())
    again = services.sweep(today=today, sources=[KEY], batch=batch)
    assert (again.applied, again.proposed, again.reminders, again.notifications) == (0, 0, 0, 0)
    assert before == (EscalationRecord.objects.count(), ChangeEvent.objects.count(), Notification.objects.count(),
                      ReminderMark.objects.count())


def test_every_record_is_audited_once_in_the_batch(world) -> None:  # noqa: ANN001
    steps = make_ladder([(0, False), (3, True)])
    items = make_items(world, [-10, -10, -1])
    report = services.sweep(today=BASE, sources=[KEY], batch=2)
    assert (report.applied, report.proposed) == (3, 2)
    events = ChangeEvent.objects.filter(action__in=["escalation.apply", "escalation.propose"])
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in EscalationRecord.objects.values_list("pk", flat=True))
    assert {e.changes["object_id"] for e in events} == {i.pk for i in items}
    assert EscalationRecord.objects.filter(step=steps[1]).count() == 2


def test_digests_one_per_recipient_and_kind_per_day_updated_on_rerun(world) -> None:  # noqa: ANN001
    make_ladder([(0, False), (2, False), (4, True)])
    make_items(world, [-12] * 9 + [-1] * 6)
    report = services.sweep(today=BASE, sources=[KEY])
    assert report.applied == 9 * 2 + 6 and report.proposed == 9
    digests = Notification.objects.filter(dedupe_key__startswith="digest:")
    assert digests.count() == Notification.objects.count()  # the sweep writes digests only
    recipients = set(digests.values_list("recipient_id", flat=True))
    assert digests.count() <= len(recipients) * len(Kind.values)
    pairs = list(digests.values_list("recipient_id", "kind"))
    assert len(pairs) == len(set(pairs))
    township = world.users["township_a"]  # 东山街道: items 0, 3, 6, 9, 12 (three long overdue, two new)
    esc = Notification.objects.get(recipient=township, kind=Kind.ESCALATION)
    over = Notification.objects.get(recipient=township, kind=Kind.OVERDUE)
    assert (esc.item_count, over.item_count) == (3, 2)  # each item once, at the highest step it reached
    assert esc.url.endswith(f"?date={BASE.isoformat()}")
    office = Notification.objects.get(recipient=world.users["office"], kind=Kind.DECISION)
    assert office.item_count == 9
    assert not Notification.objects.filter(recipient=township, kind=Kind.DECISION).exists()

    # Later the same day: three more items are overdue; the digests are updated, not repeated.
    Notification.objects.filter(pk=esc.pk).update(read_at=timezone.now())
    count = Notification.objects.count()
    make_items(world, [-12] * 3)
    services.sweep(today=BASE, sources=[KEY])
    assert Notification.objects.count() == count
    esc.refresh_from_db()
    assert esc.item_count == 4 and esc.read_at is None and "共 4 项" in esc.title


def test_reminders_once_per_threshold_as_digests(world) -> None:  # noqa: ANN001
    make_ladder([(0, False)])
    items = make_items(world, [5, 5, 5])  # 02-06: 3 working days ahead on 02-02 (the Sunday 02-04 works)
    day = BASE + dt.timedelta(days=1)
    assert workdays_between(day, items[0].deadline) == 3
    assert services.sweep(today=day, sources=[KEY]).reminders == 3
    assert services.sweep(today=day, sources=[KEY]).reminders == 0
    digest = Notification.objects.get(recipient=world.users["township_a"], kind=Kind.REMINDER)
    assert digest.item_count == 1  # 东山街道 has one of the three
    assert workdays_between(day + dt.timedelta(days=2), items[0].deadline) == 2
    assert services.sweep(today=day + dt.timedelta(days=2), sources=[KEY]).reminders == 0  # 2 left: same window
    assert services.sweep(today=add_workdays(items[0].deadline, -1), sources=[KEY]).reminders == 3


def test_query_count_does_not_grow_with_the_items(world) -> None:  # noqa: ANN001
    make_ladder([(0, False), (2, False), (5, True)])
    services.sweep(today=BASE, sources=[KEY])  # warm the calendar cache
    counts = []
    # 48 records fit one INSERT statement on SQLite too (999 variables); larger batches split the insert there.
    for n in (4, 48):
        reset()
        make_ladder([(0, False), (2, False), (5, True)])
        make_items(world, [-20, -3] * (n // 2))
        with CaptureQueriesContext(connection) as ctx:
            report = services.sweep(today=BASE, sources=[KEY])
        assert (report.applied, report.proposed) == (2 * n, n // 2) and not report.errors
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_batch_recipients_equal_the_per_item_callables(world) -> None:  # noqa: ANN001
    from hazards.choices import Grade, Status
    from hazards.tests.factories import drive_to, enterprise_hazard, fill_plan, place_hazard

    make_items(world, [-3, 0, 4])
    fill_plan(world, enterprise_hazard(world))
    fill_plan(world, place_hazard(world), actor_key="township_a")
    place_hazard(world, domain="D3")
    drive_to(world, enterprise_hazard(world, grade=Grade.MAJOR), Status.APPLIED)
    seen = set()
    for key, source in SOURCES.items():
        items = list(source.open_items()[:50])
        for supervisors in (False, True):
            one = source.supervisors if supervisors else source.responsible
            per_item = {o.pk: ids_of(one(o)) for o in items}
            batch = source.recipients_many(items, supervisors=supervisors)
            assert {pk: batch.get(pk, RecipientIds()) for pk in per_item} == per_item, key
            if any(per_item.values()):
                seen.add(key)
    assert {KEY, "hazards.hazard", "hazards.review"} <= seen


@pytest.mark.parametrize("after", [0, 1, 5, 10, 20])
def test_overdue_cutoff_is_the_last_deadline_that_reached_the_step(after: int, db) -> None:  # noqa: ANN001
    for today in (D(2024, 2, 9), D(2024, 2, 18), D(2024, 2, 21), D(2024, 3, 4), D(2024, 10, 8)):
        cutoff = services.overdue_cutoff(today, after)
        assert cutoff < today
        assert workdays_between(cutoff, today) >= after
        nxt = cutoff + dt.timedelta(days=1)
        assert nxt == today or workdays_between(nxt, today) < after


def test_the_sweep_yields_to_users_between_batches(world, settings, monkeypatch) -> None:  # noqa: ANN001
    from core import background

    make_ladder([(0, False), (3, True)])
    make_items(world, [-30, -20, -10, -5])
    pauses: list[float] = []
    settings.ANZHI_BACKGROUND_YIELD = 2
    monkeypatch.setattr(background, "users_active", lambda: 2)
    monkeypatch.setattr(background.time, "sleep", pauses.append)
    report = services.sweep(today=BASE, sources=[KEY], batch=1)
    assert report.proposed and report.applied and not report.errors
    assert len(pauses) >= 2 and all(p > 0 for p in pauses)
    assert report.paused == pytest.approx(sum(pauses))
    assert any("暂停" in line for line in report.lines())
