"""互联互通: the same loop through the API with a token, including a retried request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import token_create
from hazards.choices import Status
from hazards.models import Hazard, HazardEvent, IdempotencyRecord
from hazards.tests.factories import MAJOR_PLAN, MAJOR_REPORT, PLAN, enterprise_hazard, png_bytes
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def token_client(world, key: str) -> Client:
    _token, secret = token_create(actor=world.user(key), name="企业系统对接")
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def post(client: Client, url: str, data: dict, key: str = "", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data, content_type="application/json", **headers, **extra)


def test_major_hazard_loop_with_token_and_a_retry(world):
    ent = token_client(world, "enterprise_a")
    reg = token_client(world, "regulator")
    body = {"description": "接口登记：煤气柜密封失效", "source": "self", "grade": "major", **MAJOR_REPORT}
    first = post(ent, "/api/v1/hazards/", body, key="k-create-1")
    assert first.status_code == 201, first.content
    assert_matches_schema(first, "post")
    hazard_id = first.json()["id"]
    assert first.json()["status"] == Status.ASSESSED and first.json()["supervisor_unit_name"] == "市应急管理局"
    # The network failed; the enterprise system retries the same request with the same key.
    retry = post(ent, "/api/v1/hazards/", body, key="k-create-1")
    assert retry.status_code == 201 and retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert Hazard.objects.filter(description=body["description"]).count() == 1
    # Same key, different body: refused with a Chinese message.
    clash = post(ent, "/api/v1/hazards/", {**body, "description": "另一条"}, key="k-create-1")
    assert clash.status_code == 409 and "Idempotency-Key" in clash.json()["detail"]
    assert_matches_schema(clash, "post")

    url = f"/api/v1/hazards/{hazard_id}/"
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    plan = post(ent, url + "plan/", {**PLAN, **MAJOR_PLAN, "deadline": deadline}, key="k-plan")
    assert plan.status_code == 200, plan.content
    assert_matches_schema(plan, "post")
    for to, extra, key in [("planned", {}, "k-1"), ("rectifying", {}, "k-2")]:
        response = post(ent, url + "transition/", {"to": to, **extra}, key=key)
        assert response.status_code == 200, response.content
        assert_matches_schema(response, "post")
    photo = ent.post(url + "files/", {"role": "after", "file": _png()}, HTTP_IDEMPOTENCY_KEY="k-photo")
    assert photo.status_code == 201, photo.content
    assert_matches_schema(photo, "post")
    applied = post(ent, url + "transition/", {"to": "applied", "result": "已更换密封"}, key="k-3")
    assert applied.json()["status"] == Status.APPLIED
    # The enterprise cannot accept its own major hazard.
    refused = post(ent, url + "transition/", {"to": "accepted"})
    assert refused.status_code == 403
    assert_matches_schema(refused, "post")
    no_reason = post(reg, url + "transition/", {"to": "rectifying"})
    assert no_reason.status_code == 400 and "理由" in str(no_reason.json())
    returned = post(reg, url + "transition/", {"to": "rectifying", "note": "缺检测报告"}, key="r-1")
    assert returned.json()["status"] == Status.RECTIFYING
    # A retried "return" is not a second return.
    assert post(reg, url + "transition/", {"to": "rectifying", "note": "缺检测报告"}, key="r-1").status_code == 200
    assert HazardEvent.objects.filter(hazard_id=hazard_id, action="return").count() == 1
    post(ent, url + "transition/", {"to": "applied", "result": "已补检测报告"}, key="k-4")
    for to, key in [("accepted", "r-2"), ("closed", "r-3")]:
        response = post(reg, url + "transition/", {"to": to}, key=key)
        assert response.status_code == 200, response.content
    assert Hazard.objects.get(pk=hazard_id).status == Status.CLOSED
    events = ent.get(url + "events/")
    assert_matches_schema(events, "get")
    assert [e["action"] for e in events.json()] == ["register", "assess", "plan", "start", "apply", "return", "apply",
                                                    "accept", "close"]
    # Closed: no more edits.
    edit = ent.patch(url, {"description": "改"}, content_type="application/json")
    assert edit.status_code == 400
    assert IdempotencyRecord.objects.filter(key="k-create-1").count() == 1


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")


def test_api_scope_is_404_for_outsiders(world):
    hazard = enterprise_hazard(world)
    outsider = token_client(world, "enterprise_b")
    response = outsider.get(f"/api/v1/hazards/{hazard.pk}/")
    assert response.status_code == 404
    assert post(outsider, f"/api/v1/hazards/{hazard.pk}/transition/", {"to": "voided", "note": "x"}).status_code == 404
    listing = outsider.get("/api/v1/hazards/")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert_matches_schema(listing, "get")
    own = token_client(world, "enterprise_a").get(f"/api/v1/hazards/{hazard.pk}/")
    assert own.status_code == 200
    assert_matches_schema(own, "get")


def test_api_list_filters_and_query_count(world, django_assert_max_num_queries):
    for _ in range(8):
        enterprise_hazard(world, grade="general")
    client = token_client(world, "regulator")
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/hazards/?grade=general&state=open")
    assert response.json()["count"] >= 8


def test_enterprise_cannot_create_for_another_enterprise_through_api(world):
    client = token_client(world, "enterprise_a")
    response = post(client, "/api/v1/hazards/", {"description": "x", "source": "self",
                                                 "enterprise": world.enterprises["ent_b1"].pk})
    # Refused exactly like an enterprise that does not exist (no existence leak).
    assert response.status_code == 400 and "enterprise" in response.json()
    assert not Hazard.objects.filter(description="x").exists()


def test_system_account_gets_403(world):
    client = Client()
    client.force_login(world.users["sysadmin"])
    assert client.get("/api/v1/hazards/").status_code == 403
