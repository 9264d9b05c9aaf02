"""Random walks over the draw and the inspection (tests/workflows.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from core.workflow import Move
from enforcement import services, workflow
from enforcement.choices import InspectionOrigin
from enforcement.models import Draw, Inspection, Inspector
from enforcement.tests.factories import OPERATOR_SECRET, WITNESS_SECRET, commit, roster
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
PERSONAS = ["regulator", "inspector", "regulator_fire", "office", "township_a", "enterprise_a"]


def _team(world: World) -> list[Inspector]:
    team = list(Inspector.objects.filter(cert_number__startswith="应急-").order_by("pk"))
    return team or roster(world, 3)


def _draw(world: World, rng: random.Random) -> Draw:
    _team(world)
    return commit(world, title=f"漫步抽查{rng.randint(1, 10**9)}", strata="all=1")


def _draw_data(world: World, handle: Any, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    right = rng.random() < 0.85
    return {"public_value": "3391.27", "operator_secret": OPERATOR_SECRET if right else "not-the-secret",
            "witness_secret": WITNESS_SECRET}


def _draw_act(world: World, draw: Draw, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    if move.action == "execute":
        services.draw_execute(actor=actor, draw=draw, public_value=data["public_value"],
                              operator_secret=data["operator_secret"], witness_secret=data["witness_secret"])
    else:
        services.draw_void(actor=actor, draw=draw, note=data["note"])


def _inspection(world: World, rng: random.Random) -> Inspection:
    return services.inspection_create(actor=world.user("regulator"), origin=InspectionOrigin.SPECIAL,
                                      inspectors=_team(world)[:2], enterprise=world.enterprises["ent_a1"])


def _inspection_data(world: World, handle: Any, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    team = [i.pk for i in _team(world)[:2]]
    return {"shown": team if rng.random() < 0.85 else team[:1], "signer": "李四" if rng.random() < 0.8 else "",
            "refused_to_sign": False, "review_days": None, "review_note": "已复查" if rng.random() < 0.85 else ""}


def _inspection_act(world: World, inspection: Inspection, to: str, move: Move, actor: Any,
                    data: dict[str, Any]) -> None:
    fields = {name: data[name] for name in move.accepts if name in data}
    services.inspection_transition(actor=actor, inspection=inspection, action=move.action, note=data["note"], **fields)


WALKS = [
    Walk(workflow=workflow.DRAW_TRANSITIONS, make=_draw, act=_draw_act, prepare=_draw_data, by_action=True,
         personas=PERSONAS, examples=6, steps=6),
    Walk(workflow=workflow.INSPECTION_TRANSITIONS, make=_inspection, act=_inspection_act, prepare=_inspection_data,
         by_action=True, personas=PERSONAS, examples=6, steps=8),
]


@pytest.mark.parametrize("index", range(len(WALKS)))
def test_walks_reach_every_state(world: World, index: int) -> None:
    seen = walk(WALKS[index], world)
    assert {key for _frm, _to, key in seen.applied} <= {"regulator", "inspector"}


def _case(world: World, rng: random.Random) -> Any:
    return services.case_open(actor=world.user("regulator"), enterprise=world.enterprises["ent_b1"],
                              cause=f"漫步案件{rng.randint(1, 10**9)}")


def _case_data(world: World, handle: Any, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    import datetime as dt

    ok = rng.random() < 0.85
    return {"facts": "事实" if ok else "", "basis": "依据", "penalty_types": ["warning"] if ok else [],
            "fine_amount": "0", "confiscation_amount": "0", "statement": "放弃" if ok else "",
            "served_on": dt.date.today() if ok else None, "executed_note": "已执行" if ok else ""}


def _case_act(world: World, case: Any, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    fields = {name: data[name] for name in move.accepts if name in data}
    services.case_transition(actor=actor, case=case, action=move.action, note=data["note"], **fields)


WALKS.append(Walk(workflow=workflow.CASE_TRANSITIONS, make=_case, act=_case_act, prepare=_case_data, by_action=True,
                  personas=PERSONAS, examples=8, steps=12))
