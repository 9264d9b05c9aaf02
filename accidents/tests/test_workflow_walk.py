"""Random walks over the accident record's states (tests/workflows.py)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from accidents import services, workflow
from accidents.choices import AttachmentRole
from accidents.models import Accident
from accidents.tests.factories import moment, register, report_pdf
from core.uploads import attachments_for
from core.workflow import Move
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
PERSONAS = ["office", "regulator", "regulator_fire", "township_a", "enterprise_a", "inspector"]


def _accident(world: World, rng: random.Random) -> Accident:
    return register(world, occurred_at=moment(timezone.localdate() - dt.timedelta(days=rng.randint(1, 90))))


def _data(world: World, accident: Accident, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    ok = rng.random() < 0.85
    if move.action == "report" and ok and not attachments_for(accident, AttachmentRole.REPORT).exists():
        services.accident_attach(actor=world.user("office"), accident=accident, file=report_pdf(),
                                 role=AttachmentRole.REPORT)
    today = timezone.localdate()
    return {"cause": "违章作业" if ok else "", "direct_loss": rng.choice([None, "20", "1200"]),
            "approved_on": today if ok else today + dt.timedelta(days=3),
            "evaluation": "整改措施已落实" if ok else ""}


def _act(world: World, accident: Accident, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    fields = {name: data[name] for name in move.accepts if name in data}
    services.accident_transition(actor=actor, accident=accident, action=move.action, note=data["note"], **fields)


WALKS = [
    Walk(workflow=workflow.ACCIDENT_TRANSITIONS, make=_accident, act=_act, prepare=_data, by_action=True,
         personas=PERSONAS, examples=8, steps=10, events=lambda a: a.events.count()),
]


@pytest.mark.parametrize("index", range(len(WALKS)))
def test_walks_reach_every_state(world: World, index: int) -> None:
    seen = walk(WALKS[index], world)
    assert {key for _frm, _to, key in seen.applied} <= {"office", "regulator"}
