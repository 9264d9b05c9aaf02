"""Random walks over the permit workflow (``tests/workflows.py``): they must reach 已批准 and 已关闭, and make
every move of the table, the applicant never approving their own permit."""

from __future__ import annotations

import random
from typing import Any

import pytest

from accounts.models import User
from core.workflow import Move
from ledgers import services, workflow
from ledgers.models import WorkPermit
from ledgers.tests.test_ledgers import _permit_world
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db


def _user(world: World, key: str) -> Any:
    if key == "approver":  # the enterprise's safety manager, made by _permit_world
        return User.objects.select_related("enterprise").get(username="approver_a1")
    return world.user(key)


def _measures(world: World, permit: WorkPermit, to: str, move: Move, key: str,
              rng: random.Random) -> dict[str, Any]:
    every = list(range(len(permit.measure_lines)))
    return {"confirmed": every if rng.random() < 0.85 else every[:1]}


def _act(world: World, permit: WorkPermit, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    services.permit_transition(permit=permit, to=to, actor=actor, note=data["note"], confirmed=data["confirmed"])


WALKS = [Walk(workflow=workflow.TRANSITIONS, personas=["enterprise_a", "approver", "township_a", "enterprise_b"],
              make=lambda world, rng: _permit_world(world)[0], act=_act, prepare=_measures, user=_user,
              events=lambda permit: permit.events.count(), examples=20, every_move=True)]


def test_permit_walks_reach_every_state_and_move(world: World) -> None:
    seen = walk(WALKS[0], world)
    # The applicant (enterprise_a) never approves: approval is the approver's alone.
    assert {key for frm, to, key in seen.applied if to == "approved"} == {"approver"}
