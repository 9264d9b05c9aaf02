"""Random walks over a state machine: the one property-test helper every workflow uses (house style 19).

A ``Walk`` names a workflow (``core.workflow``), how to make a fresh object, the personas, and how to attempt
a move through the app's own service (``act``); ``prepare`` may first do what a move legitimately depends on
(fill in a plan, upload photos) and returns the request data. ``walk()`` runs seeded random walks: Hypothesis
picks the seeds and each walk's choices come from its seed, so that a handful of examples wander widely
(drawing every choice from Hypothesis favours its simplest values). Mostly a move that leaves the current
state is tried, by a persona its ``who`` names; otherwise any move of the table, by anyone. After every step:

- the object's state is one of the table's states;
- an applied move is the table's move from the state before, made by a persona its ``who`` names, and it left
  one domain event (where the app keeps them) and one change-log entry under the move's change-log action;
- a refused move changed nothing: not the row, not its domain events, not its change log.

At the end the walks must have reached every state of the table (and, with ``every_move``, made every move),
every persona must have tried something and some attempts must have been refused: a walk that never gets deep
proves nothing about the deep states.

A workflow's walks live in its app's ``tests/test_workflow_walk.py`` as ``WALKS``; ``tests/test_workflows.py``
fails for a registered workflow that has none.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import ChangeEvent
from core.workflow import Move, Workflow
from tests.personas import World


def _fresh(world: World, handle: Any) -> Any:
    return type(handle)._default_manager.get(pk=handle.pk)


@dataclass(frozen=True)
class Walk:
    workflow: Workflow
    personas: Sequence[str]
    make: Callable[[World, random.Random], Any]  # a fresh handle: the object, or what finds it
    # Attempt the move (``to`` from the table, or ``move.action``) through the app's service; data holds the note.
    act: Callable[[World, Any, str, Move, Any, dict[str, Any]], Any]
    # The object the handle stands for, fresh from the database (unsaved while its first move has not created it).
    subject: Callable[[World, Any], Any] = _fresh
    prepare: Callable[[World, Any, str, Move, str, random.Random], dict[str, Any] | None] | None = None
    events: Callable[[Any], int] | None = None  # the object's domain events, where the app keeps them
    user: Callable[[World, str], Any] = lambda world, key: world.user(key)
    by_action: bool = False  # the service names the move by its action (else by its target)
    examples: int = 12
    steps: int = 12
    every_move: bool = False
    label: str = ""  # tells two walks of one workflow apart


@dataclass
class Seen:
    states: set[Any] = field(default_factory=set)
    moves: set[tuple[Any, str]] = field(default_factory=set)
    actors: Counter[str] = field(default_factory=Counter)  # attempts per persona
    applied: list[tuple[Any, str, str]] = field(default_factory=list)  # (from, to, persona)
    refused: int = 0


def _row(obj: Any) -> dict[str, Any] | None:
    return None if obj.pk is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _records(w: Walk, obj: Any) -> tuple[int, list[str]]:
    """The object's domain events (how many) and the actions of its change-log entries."""
    if obj.pk is None:
        return 0, []
    log = ChangeEvent.objects.for_object(obj).order_by("seq").values_list("action", flat=True)
    return (w.events(obj) if w.events else 0), list(log)


def _step(w: Walk, world: World, handle: Any, rng: random.Random, seen: Seen) -> None:
    wf = w.workflow
    obj = w.subject(world, handle)
    state = wf.state_of(obj)
    here = wf.moves_from(state)
    if here and rng.random() < 0.9:
        # So that walks get deep and round: a move into a state with no way out (作废, 销号 …) is tried a quarter
        # as often as one that leads on, and a move no walk has made yet, or into a state none has reached, four
        # times as often.
        weights = [(4 if wf.moves_from(target) else 1) * (1 if (state, target) in seen.moves else 4)
                   * (1 if target in seen.states else 4) for target, _move in here]
        to, move = rng.choices(here, weights)[0]
    else:  # any move of the table: from elsewhere it must be refused
        (_frm, to), move = rng.choice(list(wf.items()))
    users = {key: w.user(world, key) for key in w.personas}
    named = [key for key in w.personas if move.who(users[key], obj)]
    others = [key for key in w.personas if key not in named]
    if named and (not others or rng.random() < 0.75):
        key = rng.choice(named)
    else:  # someone the move does not name: the one who has tried least, so that every persona does
        fewest = min(seen.actors[key] for key in others)
        key = rng.choice([key for key in others if seen.actors[key] == fewest])
    seen.actors[key] += 1
    data: dict[str, Any] = {"note": "理由" if rng.random() < 0.85 else ""}
    if w.prepare is not None:
        data.update(w.prepare(world, handle, to, move, key, rng) or {})
    obj = w.subject(world, handle)
    state = wf.state_of(obj)
    if w.by_action:
        target, expected = wf.find(state, move.action) or (None, None)
    else:
        target, expected = to, wf.move(state, to)
    actor = w.user(world, key)
    may = expected is not None and expected.who(actor, obj)
    row, (events, log) = _row(obj), _records(w, obj)
    try:
        w.act(world, handle, to, move, actor, data)
    except (ValidationError, PermissionDenied):
        after = w.subject(world, handle)
        assert wf.state_of(after) == state, f"{wf.name}: a refused {move.action} by {key} changed the state"
        assert _row(after) == row, f"{wf.name}: a refused {move.action} by {key} changed the row"
        assert _records(w, after) == (events, log), f"{wf.name}: a refused {move.action} by {key} left a record"
        seen.refused += 1
        return
    assert expected is not None, f"{wf.name}: {move.action} was applied from {state!r}, which has no such move"
    assert may, f"{wf.name}: {key} made {expected.action} from {state!r} though its `who` does not name them"
    after = w.subject(world, handle)
    assert wf.state_of(after) == target, f"{wf.name}: {expected.action} led to {wf.state_of(after)!r}"
    events_after, log_after = _records(w, after)
    if w.events is not None:
        assert events_after == events + 1, f"{wf.name}: {expected.action} should write exactly one domain event"
    # Exactly one entry for the move itself (a notification about the object may add its own).
    assert log_after[:len(log)] == log and log_after[len(log):].count(wf.audit_name(expected)) == 1, (
        f"{wf.name}: {expected.action} should write one change-log entry {wf.audit_name(expected)!r}")
    seen.moves.add((state, target))
    seen.applied.append((state, target, key))


def walk(w: Walk, world: World) -> Seen:
    """Run the walks; fail unless they reached every state (and every move, with ``every_move``)."""
    wf = w.workflow
    seen = Seen()

    @settings(max_examples=w.examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1))
    def run(seed: int) -> None:
        rng = random.Random(seed)
        handle = w.make(world, rng)
        finished = 0
        for _ in range(w.steps):
            state = wf.state_of(w.subject(world, handle))
            assert state in wf.states, f"{wf.name}: {state!r} is not a state of the table"
            seen.states.add(state)
            if not wf.moves_from(state):
                finished += 1
                if finished > 2:  # a few attempts on a finished object, then stop
                    break
            _step(w, world, handle, rng, seen)
        state = wf.state_of(w.subject(world, handle))
        assert state in wf.states, f"{wf.name}: {state!r} is not a state of the table"
        seen.states.add(state)

    run()
    missing = wf.states - seen.states
    assert not missing, f"{wf.name}: the walks never reached {sorted(map(str, missing))}; reached {seen.states}"
    if w.every_move:
        untaken = set(wf) - seen.moves
        assert not untaken, f"{wf.name}: the walks never made {sorted(untaken, key=str)}"
    idle = set(w.personas) - set(seen.actors)
    assert not idle, f"{wf.name}: {idle} never tried a move"
    assert seen.refused, f"{wf.name}: no attempt was refused: the walks tried only what the table allows"
    return seen
