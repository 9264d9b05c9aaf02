from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from risk import services
from risk.documents import qr_png
from risk.models import RiskPoint, RiskReport
from risk.tests.factories import make_point
from risk.tests.test_services import tiny_png


@pytest.fixture
def points(world):
    a1 = make_point(world.enterprises["ent_a1"], "orange", name="甲风险点", kind="post")
    b1 = make_point(world.enterprises["ent_b1"], "red", name="乙风险点")
    return a1, b1


@pytest.mark.django_db
class TestScope:
    def test_enterprise_sees_only_its_own(self, client, world, points) -> None:
        a1, b1 = points
        client.force_login(world.users["enterprise_a"])
        assert client.get(reverse("risk:point", args=[a1.pk])).status_code == 200
        for url in (reverse("risk:point", args=[b1.pk]), reverse("risk:enterprise", args=[b1.enterprise_id]),
                    reverse("risk:export", args=[b1.enterprise_id]), reverse("risk:card", args=[b1.pk, "notice"]),
                    reverse("risk:site_plan", args=[b1.enterprise_id])):
            assert client.get(url).status_code == 404, url
        assert client.get(reverse("risk:home")).url == reverse("risk:enterprise", args=[a1.enterprise_id])
        assert list(RiskPoint.objects.visible_to(world.user("enterprise_a"))) == [a1]

    def test_township_and_regulator_scope(self, client, world, points) -> None:
        a1, b1 = points
        client.force_login(world.users["township_a"])
        assert client.get(reverse("risk:point", args=[a1.pk])).status_code == 200
        assert client.get(reverse("risk:point", args=[b1.pk])).status_code == 404
        client.force_login(world.users["regulator_fire"])  # D3 only
        assert client.get(reverse("risk:point", args=[a1.pk])).status_code == 404
        client.force_login(world.users["regulator"])
        assert client.get(reverse("risk:point", args=[b1.pk])).status_code == 200

    def test_township_map_shows_its_territory_only(self, client, world, points) -> None:
        from enterprises import services as ent_services

        for key, lon in (("ent_a1", "112.5"), ("ent_b1", "112.4")):
            ent_services.enterprise_update(actor=None, enterprise=world.enterprises[key], longitude=lon,
                                           latitude="27.7")
        client.force_login(world.users["township_a"])
        assert client.get(reverse("risk:map")).status_code == 200
        data = client.get(reverse("risk-map-data")).json()
        assert [i["name"] for i in data["items"]] == [world.enterprises["ent_a1"].name]
        assert data["items"][0]["grade"] == "orange"
        client.force_login(world.users["office"])
        data = client.get(reverse("risk-map-data")).json()
        assert {i["grade"] for i in data["items"]} == {"orange", "red"}
        d12 = world.enterprises["ent_a1"].domains.get().pk
        data = client.get(reverse("risk-map-data"), {"domain": d12, "grade": "red"}).json()
        assert [i["name"] for i in data["items"]] == [world.enterprises["ent_b1"].name]

    def test_system_roles_get_403(self, client, world, points) -> None:
        client.force_login(world.users["sysadmin"])
        assert client.get(reverse("risk:overview")).status_code == 403
        assert client.get(reverse("risk-point-list")).status_code == 403


@pytest.mark.django_db
class TestPages:
    def test_list_page_export_and_rule_shown(self, client, world, points) -> None:
        a1, _b1 = points
        client.force_login(world.users["enterprise_a"])
        page = client.get(reverse("risk:enterprise", args=[a1.enterprise_id]))
        html = page.content.decode()
        assert "甲风险点" in html and "乙风险点" not in html and "从严从高" in html
        resp = client.get(reverse("risk:export", args=[a1.enterprise_id]))
        assert resp.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
        assert rows[2][:3] == ["序号", "风险点名称", "类型"] and "管控措施" in rows[2]
        assert "工程技术" in rows[3] and "应急处置" in rows[3]
        assert rows[4][1] == "甲风险点" and "较大风险" in " ".join(str(c) for c in rows[4])

    def test_create_point_through_the_page(self, client, world) -> None:
        ent = world.enterprises["ent_a1"]
        client.force_login(world.users["enterprise_a"])
        resp = client.post(reverse("risk:point_create", args=[ent.pk]), {
            "p-kind": "post", "p-name": "天车工", "p-hazard_factors": ["21", "12"], "p-accident_types": ["lifting"],
            "a-method": "lec", "a-lec_l": "3", "a-lec_e": "6", "a-lec_c": "15"})
        assert resp.status_code == 302, resp.content.decode()[:2000]
        point = RiskPoint.objects.get(name="天车工")
        assert point.grade == "orange" and point.hazard_factors == ["21", "12"]
        # a bad assessment leaves nothing behind
        resp = client.post(reverse("risk:point_create", args=[ent.pk]), {
            "p-kind": "post", "p-name": "空评估", "a-method": "lec", "a-lec_l": "3"})
        assert resp.status_code == 200 and not RiskPoint.objects.filter(name="空评估").exists()
        client.force_login(world.users["township_a"])
        assert client.get(reverse("risk:point_create", args=[ent.pk])).status_code == 403

    def test_report_submit_and_regulator_sees_change(self, client, world, points) -> None:
        a1, _ = points
        client.force_login(world.users["enterprise_a"])
        client.post(reverse("risk:report_submit", args=[a1.enterprise_id]))
        services.risk_point_assess(actor=None, risk_point=a1, method="ls", inputs={"l": 5, "s": 5})
        client.post(reverse("risk:report_submit", args=[a1.enterprise_id]), {"note": "工艺变更"})
        report = RiskReport.objects.get(enterprise=a1.enterprise, version=2)
        client.force_login(world.users["regulator"])
        html = client.get(reverse("risk:report", args=[report.pk])).content.decode()
        assert "甲风险点" in html and "与第1版相比的变化" in html
        assert client.post(reverse("risk:report", args=[report.pk]), {"note": "已阅"}).status_code == 302
        report.refresh_from_db()
        assert report.status == "acknowledged"
        client.force_login(world.users["township_b"])
        assert client.get(reverse("risk:report", args=[report.pk])).status_code == 404

    def test_card_download_embeds_qr_of_the_record(self, client, world, points) -> None:
        a1, _ = points
        client.force_login(world.users["enterprise_a"])
        resp = client.get(reverse("risk:card", args=[a1.pk, "notice"]), {"size": "a6"})
        assert resp.status_code == 200
        url = "http://testserver" + reverse("risk:point", args=[a1.pk])
        with zipfile.ZipFile(io.BytesIO(resp.content)) as z:
            media = [n for n in z.namelist() if n.startswith("word/media/")]
            assert z.read(media[0]) == qr_png(url)
        assert client.get(reverse("risk:card", args=[a1.pk, "bogus"])).status_code == 404

    def test_site_plan_upload_and_place(self, client, world, points) -> None:
        a1, _ = points
        client.force_login(world.users["enterprise_a"])
        resp = client.post(reverse("risk:site_plan", args=[a1.enterprise_id]),
                           {"file": SimpleUploadedFile("plan.png", tiny_png(), "image/png")})
        assert resp.status_code == 302
        page = client.get(reverse("risk:site_plan", args=[a1.enterprise_id])).content.decode()
        # The map script is a static file now (CSP); the page hands it the plan image and the points.
        assert "risk/site_plan.js" in page and 'data-image-url="/files/' in page and 'id="plan-features"' in page
        resp = client.post(reverse("risk:point_place", args=[a1.pk]),
                           json.dumps({"geometry": {"type": "Point", "coordinates": [5, 5]}}),
                           content_type="application/json")
        assert resp.status_code == 200 and resp.json()["geometry"]["type"] == "Point"
        resp = client.post(reverse("risk:point_place", args=[a1.pk]),
                           json.dumps({"geometry": {"type": "Point", "coordinates": [5000, 5]}}),
                           content_type="application/json")
        assert resp.status_code == 400
        client.force_login(world.users["township_a"])  # may look, not place
        resp = client.post(reverse("risk:point_place", args=[a1.pk]),
                           json.dumps({"geometry": {"type": "Point", "coordinates": [6, 6]}}),
                           content_type="application/json")
        assert resp.status_code == 403
        assert client.get(reverse("risk:site_plan", args=[a1.enterprise_id])).status_code == 200

    def test_meetings_and_class_override_pages(self, client, world, points) -> None:
        a1, _ = points
        client.force_login(world.users["enterprise_a"])
        resp = client.post(reverse("risk:meetings", args=[a1.enterprise_id]), {
            "date": "2026-11-28", "team": "轧钢甲班", "host": "班长", "attendees": "张三、李四", "task": "换辊",
            "risks": "机械伤害", "measures": "停机挂牌"})
        assert resp.status_code == 302
        assert "轧钢甲班" in client.get(reverse("risk:meetings", args=[a1.enterprise_id])).content.decode()
        assert client.get(reverse("risk:class_override", args=[a1.enterprise_id])).status_code == 403
        client.force_login(world.users["regulator"])
        resp = client.post(reverse("risk:class_override", args=[a1.enterprise_id]), {"klass": "a", "reason": ""})
        assert resp.status_code == 200
        resp = client.post(reverse("risk:class_override", args=[a1.enterprise_id]),
                           {"klass": "a", "reason": "发生过较大事故"})
        assert resp.status_code == 302
        assert "人工调整" in client.get(reverse("risk:enterprise", args=[a1.enterprise_id])).content.decode()


@pytest.mark.django_db
def test_list_pages_query_counts(client, world, django_assert_max_num_queries) -> None:
    ent = world.enterprises["ent_a1"]
    for i in range(6):
        p = make_point(ent, ["red", "orange", "yellow", "blue"][i % 4], name=f"点{i}")
        services.measure_add(actor=None, risk_point=p, kind="ppe", level="post", content="戴安全帽", responsible="王")
    for key in ("ent_a2", "ent_b1", "ent_b2", "ent_park"):
        make_point(world.enterprises[key], "yellow")
    services.report_submit(actor=None, enterprise=ent)
    client.force_login(world.users["enterprise_a"])
    client.get(reverse("risk:enterprise", args=[ent.pk]))
    # 18: two more than before for the credit classes the class rule reads (credit.selectors.classes_for_ids).
    with django_assert_max_num_queries(18):
        assert client.get(reverse("risk:enterprise", args=[ent.pk])).status_code == 200
    client.force_login(world.users["office"])
    with django_assert_max_num_queries(18):
        assert client.get(reverse("risk:overview")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("risk:reports")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("risk-point-list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("risk-map-data")).status_code == 200


@pytest.mark.django_db
def test_office_sets_a_domain_scheme(client, world) -> None:
    from orgs.models import Domain
    from risk.models import GradingScheme

    client.force_login(world.users["regulator"])
    assert client.get(reverse("risk:schemes")).status_code == 403
    client.force_login(world.users["office"])
    assert "D &gt; 320" in client.get(reverse("risk:schemes")).content.decode()
    d12 = Domain.objects.get(code="D12")
    resp = client.post(reverse("risk:schemes"), {"method": "lec", "domain": d12.pk, "name": "冶金",
                                                 "red": "10", "orange": "20", "yellow": "5"})
    assert resp.status_code == 200 and not GradingScheme.objects.exists()  # thresholds must decrease
    resp = client.post(reverse("risk:schemes"), {"method": "lec", "domain": d12.pk, "name": "冶金",
                                                 "red": "240", "orange": "120", "yellow": "50"})
    assert resp.status_code == 302
    point = make_point(world.enterprises["ent_a1"], "yellow")  # D = 90: 50 < D ≤ 120 under the D12 scheme
    assert point.grade == "yellow"
    point = make_point(world.enterprises["ent_a1"], "orange")  # D = 270 > 240 → 红
    assert point.grade == "red"
