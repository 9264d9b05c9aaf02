"""The 执法检查 section of the monthly report (campaigns.report_sections): counted from what the reader sees, and
shown in the page, the .docx and the .xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from python_calamine import CalamineWorkbook

from campaigns import report_sections, reports
from campaigns import services as campaign_services
from enforcement import services
from enforcement.choices import FindingResult
from enforcement.figures import period_figures
from enforcement.tests.test_checklists import onsite
from orgs.models import Jurisdiction, Unit
from tests.personas import World

pytestmark = pytest.mark.django_db


def _enforcement_work(world: World) -> None:
    inspection = onsite(world)
    services.finding_add(actor=world.user("inspector"), inspection=inspection, text="配电箱未接地",
                         basis="《安全生产法》第三十六条", result=FindingResult.HAZARD,
                         deadline=dt.date.today() + dt.timedelta(days=10))
    services.finding_add(actor=world.user("inspector"), inspection=inspection, text="灭火器过期",
                         basis="《消防法》第十六条", result=FindingResult.HAZARD)
    services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="record",
                                   signer="负责人", review_days=10)
    regulator = world.user("regulator")
    for cause in ("未消除事故隐患", "未按规定培训"):
        case = services.case_open(actor=regulator, enterprise=inspection.enterprise, cause=cause,
                                  inspection=inspection)
        services.case_transition(actor=regulator, case=case, action="investigate")
        services.case_transition(actor=regulator, case=case, action="notify", facts="经查属实", basis="第一百零二条",
                                 penalty_types=["fine"], fine_amount="15000")
        services.case_transition(actor=regulator, case=case, action="decide")


def test_period_figures_count_only_what_the_reader_sees(world: World) -> None:
    _enforcement_work(world)
    today = timezone.localdate()
    start = today.replace(day=1)
    office = period_figures(world.user("office"), start, today)
    assert office["inspections"] == 1 and office["hazards"] == 2 and office["per_inspection"] == 2
    assert office["penalties"] == 2 and office["amount"] == 30000
    assert [r["n"] for r in office["repeat"]] == [2]
    assert office["unannounced_share"] == 0 and office["other"] == 1
    for outsider in ("township_b", "regulator_fire", "enterprise_b"):
        figures = period_figures(world.user(outsider), start, today)
        assert figures["inspections"] == 0 and figures["penalties"] == 0 and not figures["repeat"], outsider
        assert all(s.name != "enforcement" for s in report_sections.build(world.user(outsider), start, today))
    before = period_figures(world.user("office"), start - dt.timedelta(days=400), start - dt.timedelta(days=40))
    assert before["inspections"] == 0 and before["penalties"] == 0


def test_the_monthly_report_shows_the_section_in_page_docx_and_xlsx(client: Client, world: World) -> None:
    _enforcement_work(world)
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=None, name="测试专项整治行动", starts_on=dt.date(today.year, 1, 1), ends_on=dt.date(today.year, 12, 31),
        office_unit=Unit.objects.get(name="市安委办"), jurisdiction=Jurisdiction.objects.get(code="430381"))
    fig = reports.figures(world.user("office"), campaign, reports.MONTHLY, today.year, today.month)
    (section,) = [s for s in fig.sections if s.name == "enforcement"]
    values = {r.label: r.value for r in section.rows}
    assert values["检查户次"].startswith("1（1家企业）")
    assert values["行政处罚（件）/ 罚没金额（元）"] == "2 / 30000.00"
    document = Document(io.BytesIO(reports.docx_bytes(campaign, fig, kind=reports.MONTHLY)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "执法检查" in cells and "检查户次" in cells and "2 / 30000.00" in cells
    book = CalamineWorkbook.from_filelike(io.BytesIO(reports.xlsx_bytes(fig)))
    rows = book.get_sheet_by_name(report_sections.SHEET).to_python()
    assert ["执法检查", "检查户次", values["检查户次"]] in [list(map(str, r)) for r in rows]
    client.force_login(world.users["office"])
    page = client.get(reverse("campaigns:report", args=[campaign.pk])).content.decode()
    assert 'data-testid="report-section-enforcement"' in page and reverse("enforcement:cases") in page
    other = reports.figures(world.user("township_b"), campaign, reports.MONTHLY, today.year, today.month)
    assert all(s.name != "enforcement" for s in other.sections)
