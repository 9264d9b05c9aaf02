"""Random walks over the tip's handling (tests/workflows.py), and property tests of the rate limiter."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.workflow import Move
from tests.personas import World
from tests.workflows import Walk, walk
from tips import limits, services, workflow
from tips.models import RateCount, Tip, TipEvent
from tips.tests.factories import emergency_bureau, submit

pytestmark = pytest.mark.django_db
PERSONAS = ["office", "township_a", "township_b", "regulator", "regulator_fire", "inspector", "enterprise_a"]


def _tip(world: World, rng: random.Random) -> Tip:
    return submit(world, name="", phone="", kind="illegal")


def _data(world: World, tip: Tip, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    ok = rng.random() < 0.85
    return {"assigned_unit": emergency_bureau() if ok else None, "forwarded_to": "市市场监督管理局" if ok else "",
            "verification": "现场核查记录" if ok else "", "confirmed": rng.random() < 0.9 if ok else None,
            "reply": "已处理" if ok else "", "payout_ref": "凭证1" if ok else ""}


def _act(world: World, tip: Tip, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    fields = {name: data[name] for name in move.accepts if name in data}
    services.tip_transition(actor=actor, tip=tip, action=move.action, note=data["note"], **fields)


WALKS = [Walk(workflow=workflow.TRANSITIONS, make=_tip, act=_act, prepare=_data, by_action=True, personas=PERSONAS,
              events=lambda tip: TipEvent.objects.filter(tip=tip).count(), examples=12, steps=14)]


@pytest.mark.parametrize("index", range(len(WALKS)))
def test_walks_reach_every_state(world: World, index: int) -> None:
    seen = walk(WALKS[index], world)
    assert {key for _frm, _to, key in seen.applied} <= {"office", "township_a", "regulator", "inspector"}


@settings(max_examples=25, deadline=None)
@given(allowed=st.integers(1, 6), attempts=st.integers(0, 15), subjects=st.integers(1, 3),
       offset=st.integers(0, 3599))
def test_rate_limit_allows_exactly_the_limit_per_subject_and_window(allowed: int, attempts: int, subjects: int,
                                                                    offset: int) -> None:
    RateCount.objects.all().delete()
    limit = limits.Limit("prop", allowed, 3600)
    # Attempts inside one fixed window (it starts on the hour), beginning anywhere in it.
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=min(offset, 3599 - attempts))
    for subject in range(subjects):
        results = [limits.hit(limit, f"10.0.0.{subject}", now=start + dt.timedelta(seconds=i)) for i in range(attempts)]
        assert results == [i < allowed for i in range(attempts)]
    # A new window starts afresh.
    assert limits.hit(limit, "10.0.0.0", now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))


def test_challenge_is_answered_once_and_only_rightly() -> None:
    question, token = limits.challenge()
    a, b = (int(x) for x in question.split(" = ")[0].split(" + "))
    assert not limits.challenge_passed(token, str(a + b + 1))
    assert not limits.challenge_passed(token + "x", str(a + b))
    assert limits.challenge_passed(token, str(a + b))
    assert not limits.challenge_passed(token, str(a + b))  # replay
    assert not limits.challenge_passed("", "")
