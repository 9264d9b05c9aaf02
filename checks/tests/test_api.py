"""The runs API, used through the API and validated against the OpenAPI schema: a whole run posted once under its
uuid (a repeat returns the same run), failures become hazards, everything scoped."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.test import Client

from checks.models import CheckRun, ItemResult
from checks.tests.factories import own_list, seed_list, shop
from hazards.models import Hazard
from hazards.tests.factories import png_bytes
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


def _client(world: World, key: str) -> Client:
    client = Client()
    client.force_login(world.users[key])
    return client


def test_an_enterprise_system_posts_a_run_and_a_repeat_returns_the_same_run(world: World) -> None:
    checklist = own_list(world)
    items = list(checklist.items.order_by("position"))
    client = _client(world, "enterprise_a")
    photo = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    body = {"uuid": str(uuid.uuid4()), "checklist": checklist.pk, "enterprise": world.enterprises["ent_a1"].pk,
            "place": "二号库房", "longitude": "112.530000", "latitude": "27.730000",
            "results": [{"item": items[0].pk, "outcome": "fail", "disposal": "hazard", "note": "灭火器过期",
                         "photos": [photo]},
                        {"item": items[1].pk, "outcome": "na"}]}
    first = client.post("/api/v1/checks/runs/", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert_matches_schema(first, "post")
    data = first.json()
    assert (data["items_total"], data["items_failed"], data["items_na"], data["hazards_created"]) == (3, 1, 1, 1)
    hazard = Hazard.objects.get(pk=next(r["hazard"] for r in data["results"] if r["outcome"] == "fail"))
    assert hazard.check_result.run_id == data["id"] and "灭火器过期" in hazard.description
    again = client.post("/api/v1/checks/runs/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert_matches_schema(again, "post")
    assert CheckRun.objects.count() == 1 and Hazard.objects.count() == 1
    detail = client.get(f"/api/v1/checks/runs/{data['id']}/")
    assert detail.status_code == 200
    assert_matches_schema(detail)
    listing = client.get("/api/v1/checks/runs/")
    assert_matches_schema(listing)
    assert [r["id"] for r in listing.json()["results"]] == [data["id"]]


def test_out_of_scope_runs_are_404_and_targets_are_refused(world: World) -> None:
    checklist = own_list(world)
    client = _client(world, "enterprise_a")
    body = {"uuid": str(uuid.uuid4()), "checklist": checklist.pk, "enterprise": world.enterprises["ent_a1"].pk}
    run_id = client.post("/api/v1/checks/runs/", body, content_type="application/json").json()["id"]
    other = _client(world, "enterprise_b")
    assert other.get(f"/api/v1/checks/runs/{run_id}/").status_code == 404
    assert other.get("/api/v1/checks/runs/").json()["count"] == 0
    refused = other.post("/api/v1/checks/runs/", {**body, "uuid": str(uuid.uuid4())}, content_type="application/json")
    assert refused.status_code == 400 and "enterprise" in refused.json()
    assert_matches_schema(refused, "post")
    bad = client.post("/api/v1/checks/runs/", {**body, "uuid": str(uuid.uuid4()),
                                               "results": [{"item": 10**12, "outcome": "fail"}]},
                      content_type="application/json")
    assert bad.status_code == 400 and CheckRun.objects.count() == 1


def test_a_grid_member_posts_a_shop_check_and_lists_plans_and_due(world: World) -> None:
    shop_list = seed_list("xiangxiang-2020-d3-1")
    place = shop(world)
    client = _client(world, "township_a")
    door = shop_list.items.get(position=2)
    photo = base64.b64encode(png_bytes()).decode()
    response = client.post("/api/v1/checks/runs/", {
        "uuid": str(uuid.uuid4()), "checklist": shop_list.pk, "premises": place.pk,
        "results": [{"item": door.pk, "outcome": "fail", "disposal": "on_spot", "fix_action": "当场更换防火门闭门器",
                     "photos": [photo], "fix_photos": [photo]}]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["fixed_on_spot"] == 1 and response.json()["by_government"]
    assert ItemResult.objects.get().fix.action == "当场更换防火门闭门器"
    for path in ("/api/v1/checks/plans/", "/api/v1/checks/due/", "/api/v1/checks/checklists/",
                 f"/api/v1/checks/checklists/{shop_list.pk}/"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert_matches_schema(r)
