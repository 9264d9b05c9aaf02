from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from campaigns.models import ProgressReport
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def client_for(world, key: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.user(key))
    return client


def test_task_list_is_scoped_and_matches_schema(world, small) -> None:
    response = client_for(world, "township_a").get("/api/v1/campaign-tasks/")
    assert response.status_code == 200
    assert_matches_schema(response)
    titles = {t["title"] for t in response.json()["results"]}
    assert titles == {"东山消防通道划线", "乡镇消防站建设"}
    office = client_for(world, "office").get("/api/v1/campaign-tasks/", {"plan": small.plan.pk})
    assert office.json()["count"] == 3


def test_other_units_task_is_404(world, small) -> None:
    client = client_for(world, "township_a")
    assert client.get(f"/api/v1/campaign-tasks/{small.shanzao.pk}/").status_code == 404
    response = client.get(f"/api/v1/campaign-tasks/{small.dongshan.pk}/")
    assert response.status_code == 200
    assert_matches_schema(response)
    assert client_for(world, "sysadmin").get("/api/v1/campaign-tasks/").status_code == 403


def test_report_submit_return_accept_through_the_api(world, small) -> None:
    unit = client_for(world, "township_a")
    body = {"task": small.dongshan.pk, "reported_status": "done", "narrative": "已完成", "percent": 100}
    response = unit.post("/api/v1/campaign-progress-reports/", body, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    pk = response.json()["id"]
    outsider = client_for(world, "township_b")
    # Someone else's task is refused exactly like a task that does not exist (no existence leak).
    foreign = outsider.post("/api/v1/campaign-progress-reports/", {**body, "task": small.dongshan.pk}, format="json")
    missing = outsider.post("/api/v1/campaign-progress-reports/", {**body, "task": 999999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["task"] == [m.replace("999999", str(small.dongshan.pk)) for m in missing.json()["task"]]
    assert outsider.get(f"/api/v1/campaign-progress-reports/{pk}/").status_code == 404
    assert unit.post(f"/api/v1/campaign-progress-reports/{pk}/accept/", {}, format="json").status_code == 403
    office = client_for(world, "office")
    bad = office.post(f"/api/v1/campaign-progress-reports/{pk}/return/", {"comment": ""}, format="json")
    assert bad.status_code == 400 and "退回" in str(bad.json())
    returned = office.post(f"/api/v1/campaign-progress-reports/{pk}/return/", {"comment": "补照片"}, format="json")
    assert returned.status_code == 200
    assert_matches_schema(returned, "post")
    assert returned.json()["state"] == "returned"
    assert unit.post("/api/v1/campaign-progress-reports/", body, format="json").status_code == 201
    accepted = office.post(f"/api/v1/campaign-progress-reports/{pk}/accept/", {}, format="json")
    assert accepted.json()["state"] == "accepted"
    listing = unit.get("/api/v1/campaign-progress-reports/", {"state": "accepted"})
    assert_matches_schema(listing)
    assert listing.json()["count"] == 1 == ProgressReport.objects.count()
    task = unit.get(f"/api/v1/campaign-tasks/{small.dongshan.pk}/").json()
    assert task["status"] == "done"
