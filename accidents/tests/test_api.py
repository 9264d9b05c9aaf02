"""The accidents API: created through the API (the grade computed, a sent grade ignored), read back scoped, every
answer validated against the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accidents.choices import Grade
from accidents.models import Accident
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


def _post(client: Client, data: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/accidents/", data, content_type="application/json", **headers)


def _body(world: World, **extra: Any) -> dict[str, Any]:
    return {"occurred_at": (timezone.now() - timezone.timedelta(hours=3)).isoformat(), "accident_type": "lifting",
            "enterprise": world.enterprises["ent_a1"].pk, "deaths": 10, "summary": "吊装作业吊物坠落。", **extra}


def test_create_list_and_detail_through_the_api(client: Client, world: World) -> None:
    client.force_login(world.users["regulator"])
    response = _post(client, _body(world, grade="general", status="closed", direct_loss="12.30"))
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    body = response.json()
    assert body["grade"] == Grade.MAJOR and body["status"] == "registered" and body["domain_code"] == "D12"
    listing = client.get("/api/v1/accidents/?grade=major")
    assert listing.status_code == 200
    assert_matches_schema(listing)
    assert [row["id"] for row in listing.json()["results"]] == [body["id"]]
    detail = client.get(f"/api/v1/accidents/{body['id']}/")
    assert_matches_schema(detail)
    assert detail.json()["number"] == body["number"]


def test_api_refusals_are_chinese_400_and_403(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    response = _post(client, _body(world, enterprise=None, deaths=-1))
    assert response.status_code == 400
    assert_matches_schema(response, "post")
    response = _post(client, {**_body(world, enterprise=None), "domain": "D12"})
    assert response.status_code == 400 and "属地" in response.content.decode()
    client.force_login(world.users["enterprise_a"])
    response = _post(client, _body(world))
    assert response.status_code == 403
    assert not Accident.objects.exists()


def test_out_of_scope_is_404_and_absent_from_the_list(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    accident_id = _post(client, _body(world)).json()["id"]
    client.force_login(world.users["township_b"])
    assert client.get(f"/api/v1/accidents/{accident_id}/").status_code == 404
    listing = client.get("/api/v1/accidents/")
    assert_matches_schema(listing)
    assert listing.json()["results"] == []
    client.force_login(world.users["township_a"])
    response = _post(client, _body(world, enterprise=world.enterprises["ent_b1"].pk))
    assert response.status_code == 400  # an enterprise out of scope does not exist for the caller


def test_an_idempotent_retry_creates_one_accident(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    body = _body(world)
    first = _post(client, body, HTTP_IDEMPOTENCY_KEY="acc-1")
    again = _post(client, body, HTTP_IDEMPOTENCY_KEY="acc-1")
    assert first.status_code == again.status_code == 201 and first.content == again.content
    assert Accident.objects.count() == 1
