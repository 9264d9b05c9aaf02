"""Issue 9, item 13: a retry with the same Idempotency-Key gets exactly what the first call got.

Every endpoint that documents the ``Idempotency-Key`` header is discovered from the OpenAPI schema and must
have a case here, so an endpoint added later inherits the test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.models import ChangeEvent
from hazards.idempotency import HEADER
from hazards.models import Hazard, HazardEvent, IdempotencyRecord
from hazards.tests.factories import PLAN, enterprise_hazard, png_bytes
from tests.openapi import assert_matches_schema, load_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    actor: str
    path: str
    body: dict[str, Any]
    other: dict[str, Any]  # a different request under the same key
    multipart: bool = False


def _deadline() -> str:
    return (timezone.localdate() + dt.timedelta(days=12)).isoformat()


CASES: dict[tuple[str, str], Callable[[World], Case]] = {
    ("post", "/api/v1/hazards/"): lambda w: Case(
        "enterprise_a", "/api/v1/hazards/", {"description": "重试登记：消防通道堵塞", "source": "self"},
        {"description": "另一条隐患", "source": "self"}),
    ("post", "/api/v1/hazards/{id}/transition/"): lambda w: Case(
        "township_a", f"/api/v1/hazards/{enterprise_hazard(w, grade='general').pk}/transition/",
        {"to": "voided", "note": "重复登记"}, {"to": "voided", "note": "另一个理由"}),
    ("post", "/api/v1/hazards/{id}/plan/"): lambda w: Case(
        "enterprise_a", f"/api/v1/hazards/{enterprise_hazard(w, grade='general').pk}/plan/",
        {**PLAN, "deadline": _deadline()}, {**PLAN, "measures": "另一种措施", "deadline": _deadline()}),
    ("post", "/api/v1/hazards/{id}/files/"): lambda w: Case(
        "enterprise_a", f"/api/v1/hazards/{enterprise_hazard(w).pk}/files/", {"role": "before"}, {"role": "after"},
        multipart=True),
    ("post", "/api/v1/checks/runs/"): lambda w: _check_run_case(w),
    ("post", "/api/v1/accidents/"): lambda w: Case(
        "office", "/api/v1/accidents/", {"occurred_at": "2026-01-05T10:00:00+08:00", "accident_type": "fall",
                                         "enterprise": w.enterprises["ent_a1"].pk, "summary": "重试登记：高处坠落"},
        {"occurred_at": "2026-01-05T10:00:00+08:00", "accident_type": "fall",
         "enterprise": w.enterprises["ent_a1"].pk, "summary": "另一起事故"}),
    ("post", "/api/v1/credit/events/"): lambda w: Case(
        "regulator", "/api/v1/credit/events/",
        {"enterprise": w.enterprises["ent_a1"].pk, "kind": "obstruction", "grounds": "重试：拒绝检查",
         "occurred_on": str(timezone.localdate())},
        {"enterprise": w.enterprises["ent_a1"].pk, "kind": "obstruction", "grounds": "另一次拒绝检查",
         "occurred_on": str(timezone.localdate())}),
    ("post", "/api/v1/credit/blacklist/"): lambda w: Case(
        "regulator", "/api/v1/credit/blacklist/", {"enterprise": w.enterprises["ent_a1"].pk, "grounds": "重试：严重失信"},
        {"enterprise": w.enterprises["ent_a1"].pk, "grounds": "另一个事由"}),
    ("post", "/api/v1/credit/blacklist/{id}/transition/"): lambda w: Case(
        "regulator", f"/api/v1/credit/blacklist/{_credit_entry(w).pk}/transition/",
        {"action": "drop", "note": "重试：证据不足"}, {"action": "drop", "note": "另一个理由"}),
    ("post", "/api/v1/credit/repairs/"): lambda w: Case(
        "enterprise_a", "/api/v1/credit/repairs/",
        {"enterprise": w.enterprises["ent_a1"].pk, "events": [_credit_event(w).pk], "rectification": "重试：已整改",
         "commitment": "守法经营"},
        {"enterprise": w.enterprises["ent_a1"].pk, "events": [], "rectification": "另一份", "commitment": "守法经营"}),
    ("post", "/api/v1/credit/repairs/{id}/transition/"): lambda w: Case(
        "office", f"/api/v1/credit/repairs/{_credit_repair(w).pk}/transition/",
        {"action": "reject", "note": "重试：材料不全"}, {"action": "reject", "note": "另一个理由"}),
}


def _credit_event(world: World) -> Any:
    from core.audit import Source, audit_context
    from credit import services

    with audit_context(source=Source.COMMAND):
        return services.event_register(actor=world.user("regulator"), enterprise=world.enterprises["ent_a1"],
                                       kind="obstruction", grounds="阻碍检查",
                                       occurred_on=timezone.localdate() - dt.timedelta(days=400))


def _credit_entry(world: World) -> Any:
    from core.audit import Source, audit_context
    from credit import services

    with audit_context(source=Source.COMMAND):
        return services.blacklist_propose(actor=world.user("regulator"), enterprise=world.enterprises["ent_a1"],
                                          grounds="严重失信")


def _credit_repair(world: World) -> Any:
    from core.audit import Source, audit_context
    from credit import services

    event = _credit_event(world)
    with audit_context(source=Source.COMMAND):
        return services.repair_apply(actor=world.user("enterprise_a"), enterprise=world.enterprises["ent_a1"],
                                     events=[event], rectification="已整改", commitment="守法经营")


def _check_run_case(world: World) -> Case:
    from checks.tests.factories import own_list

    checklist = own_list(world)
    item = checklist.items.first()
    body = {"uuid": "6f1c2b1e-8d5e-4c4e-9a7e-0b1f9c2d3e4f", "checklist": checklist.pk,
            "enterprise": world.enterprises["ent_a1"].pk,
            "results": [{"item": item.pk, "outcome": "fail", "disposal": "hazard", "note": "重试：防护罩缺失"}]}
    return Case("enterprise_a", "/api/v1/checks/runs/", body, {**body, "uuid": "0d6a4f0e-3c1b-4b8e-8f55-2c7a9e1d4b6a"})


def idempotent_operations() -> set[tuple[str, str]]:
    """Every (method, path) whose OpenAPI operation takes the Idempotency-Key header."""
    found = set()
    for path, item in load_schema()["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            if any(p.get("in") == "header" and p.get("name") == HEADER for p in operation.get("parameters", [])):
                found.add((method, path))
    return found


def send(client: Client, case: Case, body: dict[str, Any], key: str) -> Any:
    if case.multipart:
        file = SimpleUploadedFile("site.png", png_bytes(), content_type="image/png")
        return client.post(case.path, {**body, "file": file}, **{f"HTTP_{HEADER.upper().replace('-', '_')}": key})
    return client.post(case.path, body, content_type="application/json",
                       **{f"HTTP_{HEADER.upper().replace('-', '_')}": key})


def test_every_idempotent_endpoint_has_a_case(db: None) -> None:
    assert idempotent_operations() == set(CASES), "add a case for each endpoint that accepts Idempotency-Key"


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda o: f"{o[0]} {o[1]}")
def test_a_retry_gets_exactly_the_first_answer(world: World, operation: tuple[str, str]) -> None:
    case = CASES[operation](world)
    client = Client()
    client.force_login(world.users[case.actor])
    first = send(client, case, case.body, "retry-1")
    assert 200 <= first.status_code < 300, first.content
    writes = (ChangeEvent.objects.count(), HazardEvent.objects.count(), Hazard.objects.count())
    retry = send(client, case, case.body, "retry-1")
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    assert retry["Content-Type"] == first["Content-Type"] and retry["Idempotent-Replayed"] == "true"
    assert (ChangeEvent.objects.count(), HazardEvent.objects.count(), Hazard.objects.count()) == writes, \
        "the retry wrote again"
    clash = send(client, case, case.other, "retry-1")
    assert clash.status_code == 409 and "Idempotency-Key" in clash.json()["detail"] and "请求" in clash.json()["detail"]
    assert_matches_schema(clash, "post")
    # The key belongs to its user: another user's identical key is a new request.
    assert IdempotencyRecord.objects.filter(key="retry-1").count() == 1


def test_a_retry_that_races_the_first_call_gets_its_answer(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry arrives while the first call is still committing: it must not try the move a second time (and be
    told the move is no longer possible) but wait for the first call and answer what it answered."""
    hazard = enterprise_hazard(world, grade="general")
    client = Client()
    client.force_login(world.users["township_a"])
    url = f"/api/v1/hazards/{hazard.pk}/transition/"
    body = {"to": "voided", "note": "重复登记"}
    headers = {f"HTTP_{HEADER.upper().replace('-', '_')}": "race-1"}
    first = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 200
    # The retry's first look finds nothing yet (the first call's transaction had not committed then).
    manager = IdempotencyRecord.objects
    real_filter = manager.filter
    looks = []

    def late_filter(*args: Any, **kwargs: Any) -> Any:
        looks.append(kwargs)
        return real_filter(*args, **kwargs).none() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(manager, "filter", late_filter)
    retry = client.post(url, body, content_type="application/json", **headers)
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    assert HazardEvent.objects.filter(hazard=hazard, action="void").count() == 1


def test_a_refusal_is_replayed_too(world: World) -> None:
    """The answer a retry gets does not depend on what happened in between: a refused move stays refused
    under its key (a new attempt takes a new key)."""
    hazard = enterprise_hazard(world, grade="general")
    client = Client()
    client.force_login(world.users["enterprise_a"])
    url = f"/api/v1/hazards/{hazard.pk}/transition/"
    headers = {f"HTTP_{HEADER.upper().replace('-', '_')}": "plan-first"}
    refused = client.post(url, {"to": "planned"}, content_type="application/json", **headers)
    assert refused.status_code == 400
    client.post(f"/api/v1/hazards/{hazard.pk}/plan/", {**PLAN, "deadline": _deadline()},
                content_type="application/json")
    again = client.post(url, {"to": "planned"}, content_type="application/json", **headers)
    assert (again.status_code, again.content) == (refused.status_code, refused.content)
    fresh = client.post(url, {"to": "planned"}, content_type="application/json",
                        **{f"HTTP_{HEADER.upper().replace('-', '_')}": "plan-second"})
    assert fresh.status_code == 200 and Hazard.objects.get(pk=hazard.pk).status == "planned"


def test_an_overlong_key_is_refused_rather_than_cut(world: World) -> None:
    client = Client()
    client.force_login(world.users["enterprise_a"])
    response = client.post("/api/v1/hazards/", {"description": "x", "source": "self"}, content_type="application/json",
                           **{f"HTTP_{HEADER.upper().replace('-', '_')}": "k" * 121})
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Hazard.objects.filter(description="x").exists()
