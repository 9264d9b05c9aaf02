"""Random walks over the 严重失信主体名单 and 信用修复 state machines (tests/workflows.py)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from core.workflow import Move
from credit import services, workflow
from credit.models import BlacklistEntry, RepairApplication
from credit.tests.factories import fresh_enterprise, obstruction
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
PERSONAS = ["office", "regulator", "regulator_fire", "township_a", "enterprise_a", "inspector"]


def _entry(world: World, rng: random.Random) -> BlacklistEntry:
    return services.blacklist_propose(actor=world.user(rng.choice(["office", "regulator"])),
                                      enterprise=fresh_enterprise(), grounds="拒绝、阻碍监督检查，情节严重")


def _entry_data(world: World, entry: BlacklistEntry, to: str, move: Move, key: str,
                rng: random.Random) -> dict[str, Any]:
    ok = rng.random() < 0.85
    today = timezone.localdate()
    return {"statement": "企业未提出陈述申辩" if ok else "", "listed_on": today if ok else today + dt.timedelta(days=2)}


def _entry_act(world: World, entry: BlacklistEntry, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    fields = {name: data[name] for name in move.accepts if name in data}
    services.blacklist_transition(actor=actor, entry=entry, action=move.action, note=data["note"], **fields)


def _application(world: World, rng: random.Random) -> RepairApplication:
    event = obstruction(world, days=rng.choice([400, 500, 100]))  # a young one cannot be repaired yet
    return services.repair_apply(actor=world.user("enterprise_a"), enterprise=world.enterprises["ent_a1"],
                                 events=[event], rectification="已整改到位", commitment="承诺守法经营")


def _repair_act(world: World, application: RepairApplication, to: str, move: Move, actor: Any,
                data: dict[str, Any]) -> None:
    services.repair_transition(actor=actor, application=application, action=move.action, note=data["note"])


WALKS = [
    Walk(workflow=workflow.BLACKLIST_TRANSITIONS, make=_entry, act=_entry_act, prepare=_entry_data, by_action=True,
         personas=PERSONAS, examples=8, steps=8),
    Walk(workflow=workflow.REPAIR_TRANSITIONS, make=_application, act=_repair_act, by_action=True,
         personas=PERSONAS, examples=8, steps=6),
]


@pytest.mark.parametrize("index", range(len(WALKS)))
def test_walks_reach_every_state(world: World, index: int) -> None:
    seen = walk(WALKS[index], world)
    assert {key for _frm, _to, key in seen.applied} <= {"office", "regulator"}
