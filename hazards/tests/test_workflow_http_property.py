"""Random walks over the hazard workflow through the API and the web forms, as every persona, with arbitrary
extra fields (grade, deadline, status, enterprise, found_by …) injected into every request.

Whatever is sent and whoever sends it, after every step:
- a major hazard is never closed without its supervising regulator's acceptance;
- a hazard government found is never closed (nor accepted) by the enterprise;
- a stored grade changes only through its own audited move (定级; 立查立改 may only make an unassessed one general);
- an original deadline, once set, never changes;
- after the plan is confirmed, the current deadline changes only through an approved extension (延期);
- the scope keys and the finder never change;
- every state change has exactly one timeline event and a change-log entry for it.
The walk is not vacuous: it must reach acceptance and closing of major hazards, 立查立改 and 延期."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from core.models import ChangeEvent
from hazards import services, workflow
from hazards.choices import PLAN_DRAFT, Grade, Source, Status
from hazards.models import Hazard, HazardEvent
from hazards.tests.factories import MAJOR_PLAN, MAJOR_REPORT, PLAN, photo, png_bytes
from hazards.tests.test_workflow_property import ACTORS, SIDE_WHO, TARGET, _candidates
from orgs.models import Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db

PERSONAS = sorted(set(ACTORS) | {"enterprise_b", "expert"})
REACHED: set[str] = set()
IMMUTABLE = ("enterprise_id", "source", "finder_id", "finder_unit_id", "jurisdiction_path", "domain_id", "number")


def _day(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


# Fields no request may set (or may set only through the move they belong to); each is injected half the time.
FORGERIES: dict[str, Any] = {
    "grade": lambda r: r.choice([Grade.GENERAL, Grade.MAJOR]),
    "deadline": lambda r: _day(r.randint(-3, 120)),
    "original_deadline": lambda r: _day(r.randint(-3, 120)),
    "status": lambda r: r.choice(Status.values),
    "to_status": lambda r: r.choice(Status.values),
    "enterprise": lambda r: r.choice(["ent_a1", "ent_b1", "ent_a2"]),
    "source": lambda r: r.choice(Source.values),
    "found_by": lambda r: r.choice(["enterprise", "government"]),
    "finder": lambda r: r.randint(1, 20),
    "finder_unit": lambda r: r.randint(1, 60),
    "supervisor_unit": lambda r: r.randint(1, 60),
    "jurisdiction": lambda r: r.randint(1, 60),
    "domain": lambda r: r.choice(["D1", "D3", "D12"]),
    "accepted_at": lambda r: timezone.now().isoformat(),
    "closed_at": lambda r: timezone.now().isoformat(),
    "number": lambda r: "YH-FORGED",
    "rectified_on": lambda r: _day(r.randint(-30, 0)),
}


def _forged(rng: random.Random, world: World) -> dict[str, Any]:
    out = {key: make(rng) for key, make in FORGERIES.items() if rng.random() < 0.5}
    if "enterprise" in out:
        out["enterprise"] = world.enterprises[out["enterprise"]].pk
    return out


@dataclass
class Walk:
    world: World
    clients: dict[str, Client]

    def send(self, channel: str, actor: str, path: str, body: dict[str, Any], *, files: bool = False,
             patch: bool = False) -> Any:
        client = self.clients[actor]
        if files:
            body = {**body, "file": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")}
            return client.post(path, body)
        if channel == "api":
            if patch:
                return client.patch(path, body, content_type="application/json")
            return client.post(path, body, content_type="application/json")
        return client.post(path, body)


def _register(walk: Walk, scenario: str, channel: str, extras: dict[str, Any]) -> Hazard:
    world = walk.world
    # Registration fields are legitimate here; inject only what registration must never take.
    forged = {k: v for k, v in extras.items() if k not in ("grade", "deadline", "enterprise", "source", "domain",
                                                           "jurisdiction", "rectified_on")}
    body: dict[str, Any] = {"description": "随机漫步隐患", "category": "thing", **MAJOR_REPORT}
    if scenario.endswith("_major"):  # registered as major straight away (定级 in the same request)
        body["grade"] = Grade.MAJOR
    if scenario.startswith("self"):
        actor, body = "enterprise_a", {**body, "source": "self"}
    elif scenario.startswith("gov"):
        actor, body = "inspector", {**body, "source": "gov", "enterprise": world.enterprises["ent_a1"].pk,
                                    "deadline": _day(15)}
    else:
        actor, body = "township_a", {**body, "source": "gov", "place": "东山路K2+300", "domain": "D12",
                                     "jurisdiction": Jurisdiction.objects.get(name="东山街道").pk}
        if channel == "web":
            from orgs.models import Domain

            body["domain"] = Domain.objects.get(code="D12").pk
    before = set(Hazard.objects.values_list("pk", flat=True))
    path = "/api/v1/hazards/" if channel == "api" else "/hazards/new/"
    response = walk.send(channel, actor, path, {**forged, **body})
    assert response.status_code in (201, 302), response.content[:500]
    (pk,) = set(Hazard.objects.values_list("pk", flat=True)) - before
    hazard = Hazard.objects.get(pk=pk)
    if scenario.endswith("_major"):
        assert (hazard.status, hazard.grade) == (Status.ASSESSED, Grade.MAJOR) and hazard.supervisor_unit_id
    else:
        assert hazard.status == Status.REGISTERED and hazard.grade is None and hazard.supervisor_unit_id is None
    assert hazard.finder_id == world.users[actor].pk and hazard.number.startswith("YH")
    assert hazard.original_deadline == (dt.date.fromisoformat(_day(15)) if scenario.startswith("gov") else None)
    assert hazard.closed_at is None and hazard.accepted_at is None
    return hazard


def _request(walk: Walk, hazard: Hazard, channel: str, actor: str, action: str, extras: dict[str, Any],
             plan_days: int) -> None:
    api = f"/api/v1/hazards/{hazard.pk}/"
    web = f"/hazards/{hazard.pk}/"
    base = api if channel == "api" else web
    if action in ("fill_plan", "fill_major_plan"):
        body = {**PLAN, "deadline": _day(plan_days), **(MAJOR_PLAN if action == "fill_major_plan" else {})}
        return walk.send(channel, actor, base + "plan/", {**extras, **body})
    elif action in ("photo_before", "photo_after"):
        return walk.send(channel, actor, base + "files/", {**extras, "role": action.split("_")[1]}, files=True)
    elif action == "edit":
        body = {"description": "补充描述", "category": "thing"}
        if channel == "api":
            walk.send(channel, actor, api, {**extras, **body}, patch=True)
        else:
            walk.send(channel, actor, web + "edit/", {**extras, **body})
    else:
        body: dict[str, Any] = {"to": hazard.status if action == "extend" else TARGET[action]}
        if action.startswith("assess"):
            body["grade"] = Grade.MAJOR if action == "assess_major" else Grade.GENERAL
        if action in ("apply", "spot_fix"):
            body["result"] = "整改完成"
        if action in ("return", "void", "extend"):
            body["note"] = "理由"
        if action == "extend":
            body["deadline"] = (max(hazard.deadline or timezone.localdate(), timezone.localdate())
                                + dt.timedelta(days=7)).isoformat()
        return walk.send(channel, actor, (api + "transition/") if channel == "api" else (web + "move/"),
                         {**extras, **body})


def _state(hazard: Hazard) -> dict[str, Any]:
    return dict(Hazard.objects.filter(pk=hazard.pk).values(
        "status", "grade", "deadline", "original_deadline", "supervisor_unit_id", "accepted_at", "closed_at",
        *IMMUTABLE).get())


def _check(world: World, hazard: Hazard, before: dict[str, Any], after: dict[str, Any], events: list[HazardEvent],
           changes: list[str], actor: str) -> None:
    for key in IMMUTABLE:
        assert after[key] == before[key], f"{key} changed"
    moves = [e for e in events]
    # Every state change has exactly one timeline event and its change-log entry.
    if after["status"] != before["status"]:
        assert len(moves) == 1, [e.action for e in moves]
        event = moves[0]
        assert (event.from_status, event.to_status) == (before["status"], after["status"])
        assert f"hazards.{event.action}" in changes
        assert event.actor_id == world.users[actor].pk
    else:
        assert all(e.action == "extend" for e in moves), [e.action for e in moves]
        assert len(moves) <= 1
    for event in moves:
        assert f"hazards.{event.action}" in changes
    actions = {e.action for e in moves}
    # The stored grade changes only through its own move.
    if after["grade"] != before["grade"]:
        assert before["grade"] is None, "a stored grade was changed"
        assert "assess" in actions or ("spot_fix" in actions and after["grade"] == Grade.GENERAL)
    if after["supervisor_unit_id"] != before["supervisor_unit_id"]:
        assert "assess" in actions
    # The original deadline, once set, never changes.
    if before["original_deadline"] is not None:
        assert after["original_deadline"] == before["original_deadline"], "the original deadline changed"
    # After confirmation the deadline moves only by an approved extension, recorded on the timeline.
    if after["deadline"] != before["deadline"]:
        if before["status"] in PLAN_DRAFT:
            assert "hazards.plan" in changes
        else:
            assert actions == {"extend"}, "the deadline moved without an approved extension"
            assert moves[0].data["new_deadline"] == after["deadline"].isoformat()
            assert workflow.is_acceptor(world.user(actor), hazard)
    if after["original_deadline"] != before["original_deadline"]:
        assert before["original_deadline"] is None and ("plan" in actions or "extend" in actions)
    if after["accepted_at"] != before["accepted_at"]:
        assert actions & {"accept", "spot_fix"}
    # Closing: a major hazard only after its regulator's acceptance; a government-found one never by the enterprise.
    if after["status"] == Status.CLOSED and before["status"] != Status.CLOSED:
        history = list(hazard.events.select_related("actor"))
        closing = [e for e in history if e.action in ("accept", "close", "spot_fix")]
        if after["grade"] == Grade.MAJOR:
            assert "spot_fix" not in {e.action for e in history}
            accepts = [e for e in history if e.action == "accept"]
            assert accepts and all(e.actor.unit_id == after["supervisor_unit_id"]
                                   and not e.actor.has_role(Role.ENTERPRISE) for e in accepts)
        fresh = Hazard.objects.select_related("finder_unit").get(pk=hazard.pk)
        if not workflow.found_by_enterprise(fresh):
            assert not any(e.actor.has_role(Role.ENTERPRISE) for e in closing), "the enterprise closed it"
        REACHED.add(f"{after['grade']}:closed-by-{closing[-1].action}")
    for event in moves:
        REACHED.add(f"{after['grade']}:{event.action}")



# What the responsible party would try as a shortcut.
ATTACKS = ["spot_fix", "accept", "close", "extend", "fill_plan", "fill_major_plan", "void"]


def _actions(status: str) -> list[str]:
    # A confirmed plan re-saved (with another deadline) is a classic shortcut: try it often.
    return _candidates(status) + (["fill_plan", "fill_major_plan"] * 4 if status == Status.PLANNED else [])


def _allowed(world: World, who: Any, hazard: Hazard) -> list[str]:
    return [k for k in PERSONAS if who(world.user(k), hazard)]


def _prepare(walk: Walk, hazard: Hazard, start: str, grade: str, photos: bool, plan_days: int) -> Hazard:
    """Bring the hazard to ``start`` along the legitimate path (services, as the parties the rules name), so
    that the random requests begin from every reachable state, deep ones included."""
    world = walk.world
    if photos:
        for role in ("before", "after"):
            services.hazard_attach(actor=world.user(_allowed(world, workflow.may_edit, hazard)[0]), hazard=hazard,
                                   file=photo(), role=role)
    order = [Status.ASSESSED, Status.PLANNED, Status.RECTIFYING, Status.APPLIED, Status.ACCEPTED]
    if start == Status.REGISTERED:
        return hazard
    for step in order[:order.index(start) + 1]:
        if hazard.status == step:
            continue
        if step == Status.PLANNED:
            responsible = _allowed(world, workflow.is_responsible, hazard)[0]
            services.plan_save(actor=world.user(responsible), hazard=hazard, **PLAN, **MAJOR_PLAN,
                               deadline=timezone.localdate() + dt.timedelta(days=plan_days))
        move = workflow.TRANSITIONS[(hazard.status, step)]
        actor = world.user(_allowed(world, move.who, hazard)[0])
        hazard = services.hazard_transition(hazard=hazard, to=step, actor=actor, note="",
                                            grade=grade, result="已整改")
    return hazard


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=st.sampled_from(["gov", "self_major", "self", "gov_major", "place"]), seed=st.integers(0, 2**32))
def _walk(walk: Walk, start: str, scenario: str, seed: int) -> None:
    # Hypothesis picks the scenario and a seed; the walk's many choices come from the seed, so that even a
    # handful of examples wander widely (drawing each choice from Hypothesis favours its simplest values).
    world = walk.world
    rng = random.Random(seed)
    hazard = _register(walk, scenario, rng.choice(["api", "web"]), _forged(rng, world))
    grade = hazard.grade or rng.choice([Grade.GENERAL, Grade.MAJOR])
    hazard = _prepare(walk, hazard, start, grade, rng.random() < 0.8, rng.randint(3, 14))
    for _step in range(5):
        mode = rng.choice(["cooperative"] * 3 + ["adversarial"] * 2 + ["random"])
        action = rng.choice(ATTACKS if mode == "adversarial" else _actions(hazard.status))
        target = TARGET.get(action, hazard.status if action == "extend" else None)
        move = workflow.TRANSITIONS.get((hazard.status, target)) if target else None
        who = move.who if move is not None else SIDE_WHO.get(action)
        actor = rng.choice(PERSONAS)
        if mode == "adversarial":
            # The party with most to gain from a shortcut: the enterprise (or, without one, the township).
            actor = "enterprise_a" if hazard.enterprise_id else "township_a"
        elif who is not None and mode == "cooperative":
            allowed = _allowed(world, who, hazard)
            if allowed:
                actor = rng.choice(allowed)
        channel = rng.choice(["api", "web"])
        extras = _forged(rng, world)
        if rng.random() < 0.5:
            # The most tempting forgery: the other grade than the stored one (立查立改 of a major hazard …).
            extras["grade"] = Grade.GENERAL if hazard.grade == Grade.MAJOR else Grade.MAJOR
        # Mostly within an inspector's 15-day order, sometimes beyond it (refused: that needs an extension).
        plan_days = rng.randint(3, 14) if rng.random() < 0.8 else rng.randint(15, 60)
        before = _state(hazard)
        last_event = hazard.events.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_change = ChangeEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        _request(walk, hazard, channel, actor, action, extras, plan_days)
        hazard = Hazard.objects.select_related("enterprise", "finder_unit", "supervisor_unit").get(pk=hazard.pk)
        events = list(hazard.events.filter(pk__gt=last_event).order_by("pk"))
        changes = list(ChangeEvent.objects.for_object(hazard).filter(pk__gt=last_change)
                       .values_list("action", flat=True))
        _check(world, hazard, before, _state(hazard), events, changes, actor)


# From each state reached legitimately, a short random walk; what each start must have reached (not vacuous).
STARTS = {Status.REGISTERED: {"assess", "void", "spot_fix"}, Status.ASSESSED: {"plan", "spot_fix", "void"},
          Status.PLANNED: {"start", "extend", "void"}, Status.RECTIFYING: {"apply", "extend", "void"},
          Status.APPLIED: {"accept", "return", "void"}, Status.ACCEPTED: {"close"}}


@pytest.mark.parametrize("start", list(STARTS))
def test_random_walks_through_api_and_web_keep_the_rules(world: World, start: str) -> None:
    REACHED.clear()
    clients = {}
    for key in PERSONAS:
        clients[key] = Client()
        clients[key].force_login(world.users[key])
    _walk(Walk(world, clients), start)
    assert {r.split(":")[1] for r in REACHED} & STARTS[start], sorted(REACHED)
