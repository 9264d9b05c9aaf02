from __future__ import annotations

import pytest
from django.urls import reverse

from risk import services
from risk.tests.factories import make_point
from tests.openapi import assert_matches_schema


@pytest.mark.django_db
class TestRiskApi:
    def test_points_list_detail_scope(self, client, world) -> None:
        a1 = make_point(world.enterprises["ent_a1"], "orange", name="甲")
        b1 = make_point(world.enterprises["ent_b1"], "red", name="乙")
        client.force_login(world.users["enterprise_a"])
        resp = client.get(reverse("risk-point-list"))
        assert resp.status_code == 200
        assert_matches_schema(resp)
        assert [r["name"] for r in resp.json()["results"]] == ["甲"]
        resp = client.get(reverse("risk-point-detail", args=[a1.pk]))
        assert_matches_schema(resp)
        assert resp.json()["grade"] == "orange" and resp.json()["measures"][0]["responsible"] == "张三"
        resp = client.get(reverse("risk-point-detail", args=[b1.pk]))
        assert resp.status_code == 404

    def test_create_and_assess(self, client, world) -> None:
        client.force_login(world.users["enterprise_a"])
        ent = world.enterprises["ent_a1"]
        resp = client.post(reverse("risk-point-list"), {
            "enterprise": ent.pk, "kind": "operation", "name": "动火作业", "accident_types": ["fire"],
            "method": "ls", "inputs": {"l": "3", "s": "5"}}, content_type="application/json")
        assert resp.status_code == 201, resp.content
        assert_matches_schema(resp, "post")
        pk = resp.json()["id"]
        assert resp.json()["grade"] == "orange"
        resp = client.post(reverse("risk-point-assess", args=[pk]), {
            "method": "ls", "inputs": {"l": "1", "s": "1"}, "direct_major": True, "direct_reason": "重大危险源"},
            content_type="application/json")
        assert resp.status_code == 200
        assert_matches_schema(resp, "post")
        assert resp.json()["grade"] == "red"
        resp = client.post(reverse("risk-point-assess", args=[pk]), {"method": "lec", "inputs": {"l": "7"}},
                           content_type="application/json")
        assert resp.status_code == 400
        resp = client.post(reverse("risk-point-list"), {
            "enterprise": world.enterprises["ent_b1"].pk, "kind": "area", "name": "越权", "method": "ls",
            "inputs": {"l": "1", "s": "1"}}, content_type="application/json")
        assert resp.status_code == 400  # not visible: no such enterprise
        client.force_login(world.users["township_a"])
        resp = client.post(reverse("risk-point-list"), {
            "enterprise": ent.pk, "kind": "area", "name": "乡镇代填", "method": "ls", "inputs": {"l": "1", "s": "1"}},
            content_type="application/json")
        assert resp.status_code == 403

    def test_reports_and_acknowledge(self, client, world) -> None:
        ent = world.enterprises["ent_a1"]
        make_point(ent)
        report = services.report_submit(actor=None, enterprise=ent)
        client.force_login(world.users["regulator"])
        resp = client.get(reverse("risk-report-list"))
        assert_matches_schema(resp)
        assert resp.json()["results"][0]["changes"]["added"][0]["name"]
        resp = client.post(reverse("risk-report-acknowledge", args=[report.pk]), {"note": "收到"},
                           content_type="application/json")
        assert resp.status_code == 200
        assert_matches_schema(resp, "post")
        assert resp.json()["status"] == "acknowledged"
        client.force_login(world.users["township_b"])
        resp = client.get(reverse("risk-report-detail", args=[report.pk]))
        assert resp.status_code == 404
        client.force_login(world.users["enterprise_b"])
        assert client.post(reverse("risk-report-acknowledge", args=[report.pk])).status_code == 404

    def test_map_endpoint_schema(self, client, world) -> None:
        from enterprises import services as ent_services

        ent = world.enterprises["ent_b1"]
        ent_services.enterprise_update(actor=None, enterprise=ent, longitude="112.47", latitude="27.69")
        make_point(ent, "red")
        client.force_login(world.users["township_b"])
        resp = client.get(reverse("risk-map-data"))
        assert_matches_schema(resp)
        data = resp.json()
        assert data["count"] == 1 and data["items"][0]["colour"] and data["items"][0]["klass"].startswith("A")
        assert data["without_coordinates"] == 1  # ent_b2
        client.force_login(world.users["township_a"])
        assert client.get(reverse("risk-map-data")).json()["count"] == 0
