"""Random walks over the risk report's one move, 签收 (``tests/workflows.py``): only a regulator or township
that sees the enterprise acknowledges, and only once."""

from __future__ import annotations

import random
from typing import Any

import pytest

from core.workflow import Move
from risk import services, workflow
from risk.models import RiskReport
from risk.tests.factories import make_point
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db


def _report(world: World, rng: random.Random) -> RiskReport:
    enterprise = world.enterprises["ent_a1"]
    make_point(enterprise, rng.choice(["red", "orange", "yellow", "blue"]), name=f"漫步风险点{rng.randint(1, 10**9)}")
    return services.report_submit(actor=world.user("enterprise_a"), enterprise=enterprise)


def _acknowledge(world: World, report: RiskReport, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    services.report_acknowledge(actor=actor, report=report, note=data["note"])


WALKS = [Walk(workflow=workflow.TRANSITIONS, make=_report, act=_acknowledge, by_action=True, examples=6,
              personas=["regulator", "township_a", "office", "township_b", "regulator_fire", "enterprise_a"])]


def test_report_walks_reach_every_state(world: World) -> None:
    seen = walk(WALKS[0], world)
    # township_b and the fire brigade do not see 东山's steelworks; the enterprise never signs its own report.
    assert {key for _frm, _to, key in seen.applied} <= {"regulator", "township_a", "office"}
