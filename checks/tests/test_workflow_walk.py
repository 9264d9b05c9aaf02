"""Random walks over the check run's one move, 提交 (``tests/workflows.py``): only the checker submits a draft, once;
a submitted run is append-only."""

from __future__ import annotations

import random
from typing import Any

import pytest

from checks import services, workflow
from checks.models import CheckRun
from checks.tests.factories import fail, new_uuid, own_list
from core.workflow import Move
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db


def _draft(world: World, rng: random.Random) -> CheckRun:
    checklist = own_list(world, items=2, title=f"漫步检查表{rng.randint(1, 10**9)}")
    results = [fail(checklist.items.first())] if rng.random() < 0.5 else []
    run, _created = services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist,
                                        enterprise=world.enterprises["ent_a1"], results=results, submit=False)
    return run


def _submit(world: World, run: CheckRun, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    services.run_transition(run=run, actor=actor)


WALKS = [Walk(workflow=workflow.TRANSITIONS, make=_draft, act=_submit, by_action=True, examples=6,
              personas=["enterprise_a", "township_a", "office", "enterprise_b", "regulator"])]


def test_run_walks_reach_every_state(world: World) -> None:
    seen = walk(WALKS[0], world)
    assert {key for _frm, _to, key in seen.applied} == {"enterprise_a"}
