"""Random walks over the two escalation workflows (``tests/workflows.py``): the office's decisions on the
ladder's proposals, and supervision items from assignment to 销号, by the office, the assignee and outsiders."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from core.workflow import Move
from escalation import services, supervision, workflow
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord, SupervisionItem
from orgs.models import Unit
from tests.personas import World
from tests.workflows import Walk, walk
from workdays.services import add_workdays

pytestmark = pytest.mark.django_db
PERSONAS = ["office", "township_a", "township_b", "regulator"]
DEADLINE = dt.date(2024, 2, 8)


def _item(world: World, rng: random.Random, *, deadline: dt.date = DEADLINE) -> SupervisionItem:
    return supervision.item_assign(actor=world.user("office"), title=f"漫步督办事项{rng.randint(1, 10**9)}",
                                   assignee=Unit.objects.get(name="东山街道"), deadline=deadline,
                                   today=deadline - dt.timedelta(days=30))


def _record(world: World, rng: random.Random) -> EscalationRecord:
    """One of the records the sweep files for an item 21 working days late: 提醒 and 通报 applied, 约谈 and
    挂牌督办 proposed."""
    load_escalation_defaults()
    item = _item(world, rng)
    services.sweep(today=add_workdays(DEADLINE, 21), sources=[supervision.SOURCE_KEY])
    return rng.choice(list(EscalationRecord.objects.filter(source_key=supervision.SOURCE_KEY, object_id=item.pk)
                           .order_by("pk")))


def _decide(world: World, record: EscalationRecord, to: str, move: Move, actor: Any,
            data: dict[str, Any]) -> None:
    services.decide(actor=actor, record=record, confirm=move.action == "confirm", note=data["note"])


def _handle(world: World, item: SupervisionItem, to: str, move: Move, actor: Any,
            data: dict[str, Any]) -> None:
    if move.action == "report":
        supervision.item_report_done(actor=actor, item=item, note=data["note"])
    else:
        supervision.item_review(actor=actor, item=item, accept=move.action == "close", note=data["note"])


WALKS = [
    Walk(workflow=workflow.RECORD_TRANSITIONS, personas=PERSONAS, make=_record, act=_decide, by_action=True,
         examples=20, every_move=True),
    Walk(workflow=workflow.ITEM_TRANSITIONS, personas=PERSONAS, act=_handle, by_action=True, every_move=True,
         make=lambda world, rng: _item(world, rng, deadline=dt.date.today() + dt.timedelta(days=10)),
         events=lambda item: item.events.count()),
]


# Who made each kind of move in the walks: the office decides and closes; only the assignee reports done.
MADE_BY = {"confirm": {"office"}, "dismiss": {"office"}, "report": {"township_a"}, "close": {"office"},
           "return": {"office"}}


@pytest.mark.parametrize("w", WALKS, ids=lambda w: w.workflow.name)
def test_escalation_walks_reach_every_state_and_move(world: World, w: Walk) -> None:
    seen = walk(w, world)
    for frm, to, key in seen.applied:
        assert key in MADE_BY[w.workflow.move(frm, to).action]
