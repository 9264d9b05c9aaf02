"""Pages and API of the enforcement module: scope (404 outside), the draw through the pages, the plan import and
export round trip, the .docx, the public page with masked names, API responses against the schema."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document

from enforcement import plans, services
from enforcement.choices import DrawStatus, FindingResult, InspectionOrigin, PlanMode
from enforcement.models import AnnualPlan, Draw, Inspection
from enforcement.tests.factories import OPERATOR_SECRET, WITNESS_SECRET, commit, execute, roster
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_draw_through_the_pages_then_public_page_masks_names(client: Client, world: World) -> None:
    roster(world, 3)
    client.force_login(world.users["regulator"])
    response = client.post(reverse("enforcement:draw_new"), {
        "title": "页面抽查", "stratify": "all", "strata": "all=2", "per_target": 2, "assignment_days": 30,
        "public_source": "某日收盘指数", "operator_secret": OPERATOR_SECRET, "witness_name": "见证人甲",
        "witness_secret": WITNESS_SECRET})
    draw = Draw.objects.get(title="页面抽查")
    assert response.status_code == 302 and response.url == reverse("enforcement:draw", args=[draw.pk])
    page = client.get(reverse("enforcement:draw", args=[draw.pk])).content.decode()
    assert draw.commitment in page and 'data-testid="execute"' in page
    client.post(reverse("enforcement:draw_execute", args=[draw.pk]), {
        "public_value": "1", "operator_secret": "wrong-secret!", "witness_secret": WITNESS_SECRET})
    client.post(reverse("enforcement:draw_execute", args=[draw.pk]), {
        "public_value": "3391.27", "operator_secret": OPERATOR_SECRET, "witness_secret": WITNESS_SECRET})
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.attempts.count() == 2
    anonymous = Client()
    public = anonymous.get(reverse("enforcement:public_draw", args=[draw.pk])).content.decode()
    assert draw.commitment in public and "测试inspector" not in public and "测*" in public
    assert anonymous.get(reverse("enforcement:public_draw_package", args=[draw.pk]))["Content-Type"] == "application/zip"
    client.force_login(world.users["regulator_fire"])
    assert client.get(reverse("enforcement:draw", args=[draw.pk])).status_code == 404
    assert client.get(reverse("enforcement:draw_package", args=[draw.pk])).status_code == 404


def test_plan_import_export_round_trip(client: Client, world: World) -> None:
    year = dt.date.today().year
    client.force_login(world.users["regulator"])
    upload = SimpleUploadedFile("plan.xlsx", plans.template(), content_type="application/octet-stream")
    response = client.post(reverse("enforcement:plan_import"), {"year": year, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = AnnualPlan.objects.get(year=year)
    row = plan.rows.get()
    assert row.mode == PlanMode.RANDOM and row.population_total == 58 and str(row.draw_ratio) == "0.1000"
    assert (row.frequency, row.cap) == (1, 2)
    exported = client.get(reverse("enforcement:plan_export", args=[plan.pk]))
    outcome = plans.IMPORTER.run(actor=world.user("regulator"), file=io.BytesIO(exported.content),
                                 params={"year": year + 1})
    assert outcome.ok, outcome.lines()
    again = AnnualPlan.objects.get(year=year + 1).rows.get()
    for field in plans.ROW_FIELDS:
        assert getattr(again, field) == getattr(row, field) or field == "population", field
    client.force_login(world.users["township_a"])
    assert client.get(reverse("enforcement:plan", args=[plan.pk])).status_code == 404


def test_bad_plan_rows_are_reported_and_nothing_is_written(world: World) -> None:
    from core.xlsx import Workbook

    book = Workbook()
    ws = book.sheet("计划")
    ws.write_row(0, [c.header for c in plans.COLUMNS])
    ws.write_row(1, ["危化检查", "依据", "", "共10家", "", "", "3次/年；上限1次", "", "", "", "双随机"])
    outcome = plans.IMPORTER.run(actor=world.user("regulator"), file=io.BytesIO(book.getvalue()), params={"year": 2030})
    assert not outcome.ok and len(outcome.errors) >= 1
    assert not AnnualPlan.objects.filter(year=2030).exists()


def test_plan_derived_from_classes_caps_each_enterprise(world: World) -> None:
    plan = plans.plan_derive(actor=world.user("regulator"), year=2027)
    rows = list(plan.rows.all())
    assert rows and all(r.cap >= r.frequency for r in rows)
    named = {e.pk for r in rows for e in r.named.all()}
    assert world.enterprises["ent_a1"].pk in named


def test_order_docx_opens_and_names_the_finding(client: Client, world: World) -> None:
    team = roster(world, 2)
    regulator = world.user("regulator")
    inspection = services.inspection_create(actor=regulator, origin=InspectionOrigin.ASSIGNED, inspectors=team,
                                            enterprise=world.enterprises["ent_b1"])
    services.inspection_transition(actor=regulator, inspection=inspection, action="start", shown=[t.pk for t in team])
    services.finding_add(actor=regulator, inspection=inspection, text="除尘系统未设置泄爆装置", basis="工贸重大隐患判定标准第十一条",
                         result=FindingResult.HAZARD, deadline=dt.date.today() + dt.timedelta(days=7))
    services.inspection_transition(actor=regulator, inspection=inspection, action="record", signer="王某",
                                   review_days=7)
    client.force_login(world.users["inspector"])
    response = client.get(reverse("enforcement:document", args=[inspection.pk, "enforcement_order"]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    doc = Document(io.BytesIO(response.content))
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "责令限期整改指令书" in text and f"湘乡应急责改〔{dt.date.today().year}〕1号" in text
    assert "除尘系统未设置泄爆装置" in cells
    client.force_login(world.users["township_a"])
    assert client.get(reverse("enforcement:document", args=[inspection.pk, "enforcement_order"])).status_code == 404


def test_pages_render_for_every_persona(client: Client, world: World) -> None:
    from enterprises.models import Enterprise

    roster(world, 2)
    execute(world, commit(world, strata="all=1"))
    inspection = Inspection.objects.order_by("pk").first()
    for persona in ("office", "regulator", "inspector", "township_a", "enterprise_a", "regulator_fire"):
        user = world.user(persona)
        client.force_login(user)
        for name in ("home", "matters", "inspectors", "directory", "plans", "draws", "inspections", "public"):
            assert client.get(reverse(f"enforcement:{name}")).status_code == 200, (persona, name)
        sees = (Enterprise.objects.visible_to(user).filter(pk=inspection.enterprise_id).exists()
                or user.unit_id == inspection.department_id)
        status = client.get(reverse("enforcement:inspection", args=[inspection.pk])).status_code
        assert status == (200 if sees else 404), (persona, status)


def test_api_lists_are_scoped_and_match_the_schema(client: Client, world: World,
                                                   django_assert_max_num_queries: object) -> None:
    roster(world, 3)
    draw = execute(world, commit(world, strata="all=2"))
    client.force_login(world.users["regulator"])
    for name in ("enforcement-matter-list", "enforcement-inspector-list", "enforcement-draw-list",
                 "enforcement-inspection-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_matches_schema(response)
    detail = client.get(reverse("enforcement-draw-detail", args=[draw.pk]))
    assert_matches_schema(detail)
    assert len(detail.json()["targets"]) == 2
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get(reverse("enforcement-inspection-list"))
    client.force_login(world.users["regulator_fire"])
    assert client.get(reverse("enforcement-draw-detail", args=[draw.pk])).status_code == 404
    assert client.get(reverse("enforcement-draw-list")).json()["count"] == 0
