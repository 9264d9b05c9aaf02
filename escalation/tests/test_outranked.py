"""The ``outranked`` mark the 督办台 reads instead of probing each pending row for a higher proposal: after any
sequence of sweeps (both filing paths), decisions, ladder reorders and removed steps, it equals its definition,
recomputed here in Python from every record and step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import services, supervision
from escalation.choices import Action, RecordStatus
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationLadder, EscalationRecord, EscalationStep
from escalation.registry import SOURCES
from escalation.selectors import pending_decisions
from orgs.models import Unit
from workdays.services import add_workdays

D = dt.date
DEADLINES = (D(2024, 3, 1), D(2024, 3, 8), D(2024, 3, 15))
KEY = supervision.SOURCE_KEY


def expected_marks() -> dict[int, bool]:
    """``outranked`` by its definition: a proposal with a proposal of a higher step for the same item and
    deadline (a record without a step neither outranks nor is outranked)."""
    orders = dict(EscalationStep.objects.values_list("pk", "order"))
    rows = list(EscalationRecord.objects.values("pk", "source_key", "object_id", "due_date", "status", "step_id"))
    proposed = [r for r in rows if r["status"] == RecordStatus.PROPOSED and r["step_id"] in orders]

    def outranked(r: dict[str, Any]) -> bool:
        return r in proposed and any(
            (o["source_key"], o["object_id"], o["due_date"]) == (r["source_key"], r["object_id"], r["due_date"])
            and orders[o["step_id"]] > orders[r["step_id"]] for o in proposed)

    return {r["pk"]: outranked(r) for r in rows}


def ladder_steps(ladder: EscalationLadder) -> list[dict[str, Any]]:
    return [{"id": s.pk, **{f: getattr(s, f) for f in services.STEP_FIELDS}} for s in ladder.steps.all()]


def save_ladder(office: Any, ladder: EscalationLadder, steps: list[dict[str, Any]], on_commit: Any) -> None:
    """Save the ladder as the office does; its re-marking runs once the save commits (the test backend runs the
    queued task at once)."""
    with on_commit(execute=True):
        services.ladder_save(actor=office, ladder=ladder, values={"name": ladder.name,
                                                                  "applies_to": ladder.applies_to, "active": True},
                             steps=steps)


OPS = st.one_of(
    st.tuples(st.just("sweep"), st.integers(0, 30)),
    st.tuples(st.just("decide"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("swap"), st.sampled_from([Action.TALK, Action.CIRCULAR])),
    st.tuples(st.just("drop"), st.sampled_from([Action.TALK, Action.LISTED])),
    st.tuples(st.just("extend"), st.integers(0, 2), st.integers(1, 15)),
)


@pytest.fixture
def items(world) -> list[Any]:  # noqa: ANN001
    load_escalation_defaults()
    office, unit = world.user("office"), Unit.objects.get(name="东山街道")
    return [supervision.item_assign(actor=office, title=f"督办事项{i}", assignee=unit, deadline=due,
                                    today=D(2024, 2, 20)) for i, due in enumerate(DEADLINES)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=8), in_database=st.booleans())
def test_the_mark_equals_its_definition_after_any_sequence(world, items, ops, in_database,  # noqa: ANN001
                                                           django_capture_on_commit_callbacks, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(services, "RANK_BATCH", 3)  # the ladder's re-marking goes by id ranges: several here
    EscalationRecord.objects.all().delete()
    EscalationStep.objects.all().delete()
    EscalationLadder.objects.all().delete()
    load_escalation_defaults()
    office, ladder = world.user("office"), EscalationLadder.objects.get(code="default")
    source = SOURCES[KEY]
    SOURCES[KEY] = source if in_database else dataclasses.replace(source, title_sql=None, url_sql=None)
    try:
        for op in ops:
            if op[0] == "sweep":
                services.sweep(today=add_workdays(max(DEADLINES), op[1]), sources=[KEY])
            elif op[0] == "decide":
                open_ = list(EscalationRecord.objects.filter(status=RecordStatus.PROPOSED).order_by("pk"))
                if open_:
                    services.decide(actor=office, record=open_[op[1] % len(open_)], confirm=op[2], note="理由")
            elif op[0] == "swap":  # the named step trades places with 挂牌督办
                steps = ladder_steps(ladder)
                a = next((s for s in steps if s["action"] == op[1]), None)
                b = next((s for s in steps if s["action"] == Action.LISTED), None)
                if a and b:
                    a["order"], b["order"] = b["order"], a["order"]
                    save_ladder(office, ladder, steps, django_capture_on_commit_callbacks)
            elif op[0] == "drop":
                save_ladder(office, ladder, [s for s in ladder_steps(ladder) if s["action"] != op[1]],
                            django_capture_on_commit_callbacks)
            else:
                item = items[op[1]]
                item.refresh_from_db()
                supervision.item_extend(actor=office, item=item, deadline=item.deadline + dt.timedelta(days=op[2]),
                                        note="延期")
            marks = dict(EscalationRecord.objects.values_list("pk", "outranked"))
            assert marks == expected_marks(), op
        shown = {r.pk for r in pending_decisions(office)}
        assert shown == {pk for pk, hidden in expected_marks().items()
                         if not hidden and EscalationRecord.objects.get(pk=pk).status == RecordStatus.PROPOSED}
    finally:
        SOURCES[KEY] = source


def test_a_long_overdue_item_shows_its_highest_proposal_until_that_is_dismissed(world, items) -> None:  # noqa: ANN001
    office = world.user("office")
    services.sweep(today=add_workdays(max(DEADLINES), 25), sources=[KEY])
    talk = EscalationRecord.objects.filter(object_id=items[0].pk, action=Action.TALK)
    listed = EscalationRecord.objects.get(object_id=items[0].pk, action=Action.LISTED)
    assert talk.get().outranked and not listed.outranked
    assert {r.action for r in pending_decisions(office) if r.object_id == items[0].pk} == {Action.LISTED}
    services.decide(actor=office, record=listed, confirm=False, note="已整改到位，不必挂牌")
    # The 约谈 it outranked is the item's pending decision again.
    assert not talk.get().outranked
    assert {r.action for r in pending_decisions(office) if r.object_id == items[0].pk} == {Action.TALK}
