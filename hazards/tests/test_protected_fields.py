"""Unknown or protected fields in a request are ignored or refused, never applied (issue 9, item 6 b).

Dynamic, for every hazard serializer and form: the same request is made on two twin hazards, once as is and
once with forged fields added; both must end in the same state. Static, for every app: no ModelSerializer
declares a writable field over a model field that is not editable."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.test import Client
from django.utils import timezone
from rest_framework import serializers

from hazards.models import Hazard, RectificationPlan
from hazards.services import AUDITED
from hazards.tests.factories import PLAN, enterprise_hazard, photo
from orgs.models import Jurisdiction, Unit
from tests.personas import World

pytestmark = pytest.mark.django_db


def _day(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def forged(world: World) -> dict[str, Any]:
    other = Jurisdiction.objects.get(name="山枣镇")
    unit = Unit.objects.get(name="市消防救援大队")
    return {
        "status": "closed", "to_status": "closed", "grade": "major", "deadline": _day(300),
        "original_deadline": _day(400), "enterprise": world.enterprises["ent_b1"].pk, "jurisdiction": other.pk,
        "jurisdiction_path": other.path, "domain": "D3", "source": "report", "finder": world.users["office"].pk,
        "finder_unit": unit.pk, "found_by": "government", "supervisor_unit": unit.pk,
        "closed_at": timezone.now().isoformat(), "accepted_at": timezone.now().isoformat(),
        "applied_at": timezone.now().isoformat(), "rectified_on": _day(-20), "review_deadline": _day(1),
        "number": "YH-FORGED", "created_by": world.users["office"].pk, "regulation_version": "伪造",
        "id": 987654, "hazard": 987654, "report_sent_at": timezone.now().isoformat(),
    }


def _state(pk: int) -> dict[str, Any]:
    hazard = Hazard.objects.get(pk=pk)
    out = {name: getattr(hazard, f"{name}_id" if name in ("enterprise", "jurisdiction", "domain", "finder_unit",
                                                            "supervisor_unit") else name)
           for name in AUDITED if name != "number"}
    for moment in ("found_at", "report_sent_at", "applied_at", "accepted_at", "closed_at"):
        out[moment] = out[moment] is not None  # set or not; the instant differs between twins
    plan = RectificationPlan.objects.filter(hazard=hazard).first()
    out["plan"] = {f: getattr(plan, f) for f in RectificationPlan.FIELDS} if plan else None
    out["events"] = list(hazard.events.values_list("action", "from_status", "to_status"))
    out["finder"] = hazard.finder_id
    out["created_by"] = hazard.created_by_id
    out["regulation_version"] = hazard.regulation_version
    return out


def _photos(world: World, hazard: Hazard) -> Hazard:
    from hazards import services

    for role in ("before", "after"):
        services.hazard_attach(actor=world.user("enterprise_a"), hazard=hazard, file=photo(), role=role)
    return hazard


# (name, actor, fields the request may legitimately carry, twin maker or None for a create, path, body, verb)
Endpoint = tuple[str, str, set[str], Callable[[World], Hazard] | None, Callable[[int], str], dict[str, Any], str]
ENDPOINTS: list[Endpoint] = [
    ("api create", "enterprise_a", {"description", "source", "enterprise", "jurisdiction", "domain", "grade",
                                    "deadline", "found_at"},
     None, lambda pk: "/api/v1/hazards/", {"description": "孪生：登记", "source": "self"}, "json"),
    ("web create", "enterprise_a", {"description", "source", "category", "domain", "grade"},
     None, lambda pk: "/hazards/new/", {"description": "孪生：登记", "source": "self", "category": "thing"}, "form"),
    ("api edit", "enterprise_a", {"description"}, lambda w: enterprise_hazard(w),
     lambda pk: f"/api/v1/hazards/{pk}/", {"description": "孪生：修改"}, "patch"),
    ("web edit", "enterprise_a", {"description", "category"}, lambda w: enterprise_hazard(w),
     lambda pk: f"/hazards/{pk}/edit/", {"description": "孪生：修改", "category": "thing"}, "form"),
    ("api plan", "enterprise_a", {"deadline"}, lambda w: enterprise_hazard(w, grade="general"),
     lambda pk: f"/api/v1/hazards/{pk}/plan/", {**PLAN, "deadline": _day(9)}, "json"),
    ("web plan", "enterprise_a", {"deadline"}, lambda w: enterprise_hazard(w, grade="general"),
     lambda pk: f"/hazards/{pk}/plan/", {**PLAN, "deadline": _day(9)}, "form"),
    ("api assess", "enterprise_a", {"grade"}, lambda w: enterprise_hazard(w),
     lambda pk: f"/api/v1/hazards/{pk}/transition/", {"to": "assessed", "grade": "general"}, "json"),
    ("web assess", "enterprise_a", {"grade"}, lambda w: enterprise_hazard(w),
     lambda pk: f"/hazards/{pk}/move/", {"to": "assessed", "grade": "general"}, "form"),
    ("api spot fix", "enterprise_a", set(), lambda w: _photos(w, enterprise_hazard(w, grade="general")),
     lambda pk: f"/api/v1/hazards/{pk}/transition/", {"to": "closed", "result": "当场整改"}, "json"),
    ("web spot fix", "enterprise_a", set(), lambda w: _photos(w, enterprise_hazard(w, grade="general")),
     lambda pk: f"/hazards/{pk}/move/", {"to": "closed", "result": "当场整改"}, "form"),
    ("api files", "enterprise_a", set(), lambda w: enterprise_hazard(w),
     lambda pk: f"/api/v1/hazards/{pk}/files/", {"role": "before"}, "multipart"),
    ("web files", "enterprise_a", set(), lambda w: enterprise_hazard(w),
     lambda pk: f"/hazards/{pk}/files/", {"role": "before"}, "multipart"),
]


def _send(client: Client, verb: str, path: str, body: dict[str, Any]) -> Any:
    if verb == "json":
        return client.post(path, body, content_type="application/json")
    if verb == "patch":
        return client.patch(path, body, content_type="application/json")
    if verb == "multipart":
        return client.post(path, {**body, "file": photo()})
    return client.post(path, body)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_forged_fields_are_never_applied(world: World, endpoint: Endpoint) -> None:
    _name, actor, legitimate, make, path, body, verb = endpoint
    client = Client()
    client.force_login(world.users[actor])
    extra = {k: v for k, v in forged(world).items() if k not in legitimate and k not in body}
    outcomes = []
    for payload in (body, {**body, **extra}):
        before = set(Hazard.objects.values_list("pk", flat=True))
        twin = make(world).pk if make else None
        response = _send(client, verb, path(twin or 0), payload)
        (pk,) = (twin,) if twin else set(Hazard.objects.values_list("pk", flat=True)) - before
        outcomes.append((response.status_code, _state(pk)))
    (plain_code, plain), (forged_code, forged_state) = outcomes
    assert plain_code == forged_code
    changed = {k: (plain[k], forged_state[k]) for k in plain if plain[k] != forged_state[k]}
    assert not changed, f"forged fields were applied: {changed}"


def _project_modules() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(apps.get_app_config("core").path).rsplit("/", 1)[0]):
            continue
        for module in ("api", "forms"):
            try:
                importlib.import_module(f"{config.name}.{module}")
            except ModuleNotFoundError:
                continue
            names.append(config.name)
    return names


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_no_serializer_writes_a_field_the_model_keeps_for_its_services(db: None) -> None:
    """Fields a model marks ``editable=False`` (status, deadlines, scope keys …) change only in services."""
    project = tuple(f"{name}." for name in _project_modules())
    checked = 0
    for cls in _subclasses(serializers.ModelSerializer):
        if not cls.__module__.startswith(project) or not hasattr(cls, "Meta"):
            continue
        model = cls.Meta.model
        for name, field in cls().fields.items():
            if field.read_only or field.source == "*":
                continue
            try:
                model_field = model._meta.get_field(field.source.split(".")[0])
            except FieldDoesNotExist:
                continue
            assert model_field.editable, f"{cls.__name__}.{name} writes {model.__name__}.{model_field.name}"
            checked += 1
    assert checked >= 10
