"""Pages of the accidents module: scope with every persona (404 outside), registration and 补报 through the pages,
责任倒查, figures and the home card (clickable, scoped), the import (all or nothing) and the export, query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accidents.choices import Grade
from accidents.importer import COLUMNS, IMPORTER, template
from accidents.models import Accident
from accidents.tests.factories import moment, register
from core.xlsx import Workbook
from enforcement import services as enforcement_services
from enforcement.choices import InspectionOrigin
from enforcement.tests.factories import roster
from hazards.choices import Source
from hazards.tests.factories import enterprise_hazard
from orgs.models import Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db

# Who sees an accident of 东山测试钢铁 (东山街道, 工贸 D12).
SEES_A1 = {"office": True, "township_a": True, "township_b": False, "regulator": True, "regulator_fire": False,
           "enterprise_a": True, "enterprise_b": False, "inspector": True, "expert": False}


@pytest.mark.parametrize(("persona", "sees"), sorted(SEES_A1.items()))
def test_scope_of_an_enterprise_accident(client: Client, world: World, persona: str, sees: bool) -> None:
    accident = register(world)
    client.force_login(world.users[persona])
    for url in (f"/accidents/{accident.pk}/", f"/accidents/{accident.pk}/lookback/"):
        assert client.get(url).status_code == (200 if sees else 404), url
    listing = client.get("/accidents/")
    assert listing.status_code == 200
    assert (accident.number in listing.content.decode()) is sees
    api = client.get(f"/api/v1/accidents/{accident.pk}/")
    assert api.status_code == (200 if sees else 404)


def test_system_accounts_get_no_accident_pages(client: Client, world: World) -> None:
    accident = register(world)
    client.force_login(world.users["auditadmin"])
    assert client.get(f"/accidents/{accident.pk}/").status_code == 403


def test_register_then_revise_through_the_pages_changes_the_grade(client: Client, world: World) -> None:
    client.force_login(world.users["township_a"])
    response = client.post("/accidents/new/", {
        "occurred_at": (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "accident_type": "fall", "enterprise": world.enterprises["ent_a1"].pk, "deaths": 2, "serious_injuries": 0,
        "injuries": 1, "direct_loss": "30", "summary": "脚手架作业人员坠落。", "business_premises": "on"})
    accident = Accident.objects.get()
    assert response.status_code == 302 and accident.grade == Grade.GENERAL
    page = client.get(f"/accidents/{accident.pk}/").content.decode()
    assert "国务院令第493号" in page and "一般事故" in page
    client.post(f"/accidents/{accident.pk}/revise/", {"deaths": 3, "serious_injuries": 0, "injuries": 1,
                                                     "note": "一名伤者抢救无效死亡"})
    accident.refresh_from_db()
    assert accident.grade == Grade.LARGER and accident.revisions.count() == 1
    assert "较大事故" in client.get(f"/accidents/{accident.pk}/").content.decode()


def test_a_late_revision_is_refused_on_the_page_with_a_message(client: Client, world: World) -> None:
    accident = register(world, occurred_at=moment(timezone.localdate() - dt.timedelta(days=40)), deaths=1)
    client.force_login(world.users["office"])
    page = client.get(f"/accidents/{accident.pk}/").content.decode()
    assert 'data-testid="revision-closed"' in page and 'data-testid="revise-submit"' not in page
    response = client.post(f"/accidents/{accident.pk}/revise/", {"deaths": 2, "serious_injuries": 0, "injuries": 0,
                                                                "note": "迟报"}, follow=True)
    assert "已超过补报期限" in response.content.decode()
    accident.refresh_from_db()
    assert accident.deaths == 1


def test_bad_form_input_is_a_chinese_message_not_a_500(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    response = client.post("/accidents/new/", {"occurred_at": "昨天", "accident_type": "nope", "deaths": "-3",
                                               "summary": ""})
    assert response.status_code == 200 and not Accident.objects.exists()
    response = client.post("/accidents/new/", {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "accident_type": "fall", "deaths": 0,
        "serious_injuries": 0, "injuries": 0, "direct_loss": "0", "summary": "无单位事故"})
    assert response.status_code == 200 and "属地" in response.content.decode() and not Accident.objects.exists()


def test_lookback_lists_the_year_before_within_the_readers_scope(client: Client, world: World) -> None:
    accident = register(world)
    before = enterprise_hazard(world, description="倒查：近期隐患")
    type(before).objects.filter(pk=before.pk).update(found_at=timezone.now() - dt.timedelta(days=10))
    old = enterprise_hazard(world, description="倒查：一年多以前的隐患")
    type(old).objects.filter(pk=old.pk).update(found_at=timezone.now() - dt.timedelta(days=400))
    enterprise_hazard(world, actor_key="enterprise_b", enterprise_key="ent_b1", description="倒查：别的企业")
    later = enterprise_hazard(world, description="倒查：事故之后")
    type(later).objects.filter(pk=later.pk).update(found_at=accident.occurred_at + dt.timedelta(minutes=1))
    team = roster(world, 2)
    inspection = enforcement_services.inspection_create(
        actor=world.user("regulator"), origin=InspectionOrigin.SPECIAL, inspectors=team,
        enterprise=world.enterprises["ent_a1"], planned_date=timezone.localdate() - dt.timedelta(days=30))
    client.force_login(world.users["township_a"])
    page = client.get(f"/accidents/{accident.pk}/lookback/").content.decode()
    assert "倒查：近期隐患" in page and f"/hazards/{before.pk}/" in page
    assert "一年多以前" not in page and "别的企业" not in page and "事故之后" not in page
    assert f"/enforcement/inspections/{inspection.pk}/" in page
    assert before.source == Source.SELF_CHECK


def test_list_page_queries_do_not_grow_with_rows(client: Client, world: World) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    register(world)
    client.force_login(world.users["office"])
    count("/accidents/")
    before = count("/accidents/")
    for k in range(12):
        register(world, enterprise=["ent_a1", "ent_b1", None][k % 3], deaths=k % 4)
    assert count("/accidents/") == before
    assert count("/accidents/?export=xlsx") <= before + 2


def test_figures_and_home_card_are_scoped_and_clickable(client: Client, world: World) -> None:
    today = timezone.localdate()
    register(world, deaths=1)
    register(world, enterprise="ent_b1", deaths=2)
    register(world, enterprise="ent_b1", occurred_at=moment(today.replace(year=today.year - 1, day=1)))
    client.force_login(world.users["township_a"])
    home = client.get("/").content.decode()
    assert 'data-testid="card-accidents"' in home
    link = f"/accidents/?year={today.year}&amp;until={today.month}"
    assert link in home
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert listing.count('data-testid="accident-link"') == 1
    figures = client.get("/accidents/figures/").content.decode()
    assert f"/accidents/?year={today.year}&amp;month={today.month}" in figures
    client.force_login(world.users["office"])
    listing = client.get(f"/accidents/?year={today.year}&until={today.month}").content.decode()
    assert listing.count('data-testid="accident-link"') == 2
    listing = client.get(f"/accidents/?year={today.year - 1}&until={today.month}").content.decode()
    assert listing.count('data-testid="accident-link"') == 1


def _book(rows: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.sheet("历史事故")
    ws.write_row(0, [c.header for c in COLUMNS])
    for i, row in enumerate(rows, 1):
        ws.write_row(i, row)
    return book.getvalue()


def test_import_is_all_or_nothing_with_a_row_report(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    good = ["2024-03-05 09:00", "高处坠落", "", "", "东山测试钢铁有限公司", "工贸行业", 1, 0, 0, 20, "检修时坠落", "否", "是", "否"]
    bad = ["2024-03-06", "被打", "不存在的镇", "某处", "", "工贸行业", -1, 0, 0, 0, "经过", "", "", ""]
    upload = SimpleUploadedFile("history.xlsx", _book([good, bad]), content_type="application/octet-stream")
    page = client.post("/accidents/import/", {"file": upload}).content.decode()
    assert not Accident.objects.exists()
    assert "GB 6441" in page and "不存在的镇" in page
    outcome = IMPORTER.run(actor=world.user("office"), file=io.BytesIO(_book([good, bad])))
    assert not outcome.ok and {e.row for e in outcome.errors} == {3}
    assert {"事故类别", "死亡人数", "属地"} <= {e.column for e in outcome.errors}
    assert not Accident.objects.exists()
    upload = SimpleUploadedFile("history.xlsx", _book([good, good[:1] + ["火灾", "东山街道", "东山路1号", "", "消防"] +
                                                       [0, 0, 1, "1500", "民房起火", "否", "否", "是"]]),
                                content_type="application/octet-stream")
    response = client.post("/accidents/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Accident.objects.filter(imported=True).count() == 2
    fire = Accident.objects.get(accident_type="fire")
    assert fire.grade == Grade.LARGER and fire.fire_warning() == "province" and fire.typical


def test_import_template_round_trips(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    upload = SimpleUploadedFile("t.xlsx", template(), content_type="application/octet-stream")
    assert client.post("/accidents/import/", {"file": upload}).status_code == 302
    assert Accident.objects.get().jurisdiction.name == "东山街道"


def test_export_lists_what_the_reader_sees(client: Client, world: World) -> None:
    register(world, summary="=HYPERLINK(\"x\")")
    register(world, enterprise="ent_b1")
    client.force_login(world.users["township_a"])
    response = client.get("/accidents/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][-1] == "=HYPERLINK(\"x\")"


def _render(client: Client, url: str) -> str:
    from tests.test_figure_scope import render

    return render(client, url)


@pytest.mark.parametrize("persona", ["township_a", "regulator_fire", "enterprise_a"])
def test_figures_do_not_change_when_accidents_out_of_scope_are_added(client: Client, world: World,
                                                                     persona: str) -> None:
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    pages = ["/", "/accidents/", "/accidents/figures/", f"/accidents/bulletin/?year={today.year}&month={today.month}",
             f"/accidents/bulletin/?year={last_month.year}&month={last_month.month}", "/api/v1/accidents/"]
    register(world, deaths=1)
    client.force_login(world.users[persona])
    before = {url: _render(client, url) for url in pages}
    for when in (timezone.now(), moment(last_month), moment(last_month.replace(year=last_month.year - 1))):
        register(world, enterprise="ent_b1", occurred_at=when, deaths=4, summary="越界标记")
        register(world, enterprise=None, occurred_at=when, summary="越界标记",
                 jurisdiction=Jurisdiction.objects.get(name="山枣镇"))
    if persona == "enterprise_a":  # the shop next door: in 东山街道, not the enterprise's own
        register(world, "regulator_fire", enterprise="ent_a2", accident_type="fire", summary="越界标记")
    if persona == "regulator_fire":
        register(world, summary="越界标记")
    after = {url: _render(client, url) for url in pages}
    for url in pages:
        assert before[url] == after[url], url
