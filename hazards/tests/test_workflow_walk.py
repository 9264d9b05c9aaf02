"""Random walks over the hazard workflow with the shared helper (``tests/workflows.py``), next to the
hazard-specific walks of ``test_workflow_property.py`` and ``test_workflow_http_property.py``: every state of the
table, for hazards an enterprise found, government found, and without an enterprise (those two cover the moves)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.workflow import Move
from hazards import services, workflow
from hazards.choices import Grade, Status
from hazards.models import Hazard
from hazards.tests.factories import MAJOR_PLAN, PLAN, photo
from hazards.tests.test_workflow_property import SCENARIOS, _make
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
PERSONAS = ["enterprise_a", "regulator", "township_a", "inspector", "enterprise_b", "township_b", "regulator_fire",
            "office"]


def _first(world: World, rule: Any, hazard: Hazard) -> Any:
    return next((world.user(key) for key in PERSONAS if rule(world.user(key), hazard)), None)


def _ready(world: World, hazard: Hazard, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    """What the move legitimately depends on, done most of the time by whoever may (a plan, the photos), and
    the fields the move reads."""
    hazard = Hazard.objects.get(pk=hazard.pk)
    try:
        if move.action in ("plan", "start") and rng.random() < 0.85:
            services.plan_save(actor=_first(world, workflow.is_responsible, hazard), hazard=hazard, **PLAN,
                               **MAJOR_PLAN, deadline=timezone.localdate() + dt.timedelta(days=10))
        if move.action == "spot_fix" and rng.random() < 0.85:
            for role in ("before", "after"):
                services.hazard_attach(actor=_first(world, workflow.may_edit, hazard), hazard=hazard, file=photo(),
                                       role=role)
    except (ValidationError, PermissionDenied):
        pass  # not possible in this state: the move will say so
    deadline = max(hazard.deadline or timezone.localdate(), timezone.localdate()) + dt.timedelta(days=7)
    # Mostly general: only a general hazard may be fixed on the spot once graded.
    grade = Grade.GENERAL if rng.random() < 0.65 else Grade.MAJOR
    return {"grade": grade, "result": "整改完成", "deadline": deadline}


def _act(world: World, hazard: Hazard, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    services.hazard_transition(hazard=hazard, to=to, actor=actor, **data)


WALKS = [Walk(workflow=workflow.TRANSITIONS, personas=PERSONAS,
              make=lambda world, rng: _make(world, rng.choice(SCENARIOS)), prepare=_ready, act=_act,
              events=lambda hazard: hazard.events.count(), examples=20, steps=16)]


def test_hazard_walks_reach_every_state(world: World) -> None:
    seen = walk(WALKS[0], world)
    assert {to for _frm, to, key in seen.applied if key.startswith("enterprise_b")} == set()
    assert Status.CLOSED in {to for _frm, to, _key in seen.applied}
