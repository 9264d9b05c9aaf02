from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document
from python_calamine import CalamineWorkbook

from campaigns import reports, workflow
from campaigns.choices import ReportAction, ReportedStatus
from campaigns.models import Task

pytestmark = pytest.mark.django_db


def _complete(world, task: Task, day: dt.date) -> None:
    report = workflow.report_submit(actor=world.user("township_a"), task=task, reported_status=ReportedStatus.DONE,
                                    narrative="完成", percent=100, today=day,
                                    now=dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC))
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.ACCEPT,
                           now=dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC))


def test_monthly_docx_holds_the_figures_in_official_style(world, small) -> None:
    _complete(world, small.dongshan, dt.date(2024, 3, 10))
    fig = reports.figures(world.user("office"), small.campaign, reports.MONTHLY, 2024, 3)
    assert (fig.total, fig.done, fig.done_in_period) == (4, 1, 1)
    assert fig.overdue == 3  # 山枣镇, the township task and the 2024-02-08 task were due by 03-31
    data = reports.docx_bytes(small.campaign, fig, kind=reports.MONTHLY)
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "测试专项整治行动2024年3月工作进展情况" in text
    assert "共有整治任务4项" in text and "已完成1项" in text and "逾期未完成3项" in text
    assert "下一步工作" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "D3 消防" in cells and "山枣镇" in cells
    # 东山 finished its own task; it still shares the overdue township task with every township.
    assert ("山枣镇", 2) in fig.overdue_units and ("东山街道", 1) in fig.overdue_units
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = {r._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
             for p in doc.paragraphs for r in p.runs}
    assert {"仿宋_GB2312", "黑体"} <= fonts


def test_annual_report_and_xlsx_download_respect_scope(client, world, small) -> None:
    client.force_login(world.users["township_b"])
    url = reverse("campaigns:report_download", args=[small.campaign.pk, "xlsx"])
    response = client.get(url, {"kind": "annual", "year": 2024})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("总体情况").to_python()
    figures = {r[0]: r[1] for r in rows if len(r) > 1}
    assert figures["任务总数"] == 2  # 山枣镇 sees its own task and the townships' task
    docx = client.get(reverse("campaigns:report_download", args=[small.campaign.pk, "docx"]),
                      {"kind": "annual", "year": 2024})
    assert "2024年度工作总结" in Document(io.BytesIO(docx.content)).paragraphs[0].text
    assert client.get(reverse("campaigns:report", args=[small.campaign.pk])).status_code == 200


@pytest.mark.parametrize(("kind", "year", "month"), [
    (reports.MONTHLY, 2024, 1),  # nothing overdue yet, tasks due next month
    (reports.MONTHLY, 2024, 3),  # overdue units, a completed task
    (reports.MONTHLY, 2026, 5),  # after the campaign: no upcoming tasks
    (reports.ANNUAL, 2024, None),
])
def test_template_report_holds_the_text_of_the_python_docx_report(world, small, kind: str, year: int,
                                                                   month: int | None) -> None:
    """The move onto templates lost nothing: on the same figures, the default template's report has the very
    paragraphs and table cells that the former python-docx builder wrote, and the same title property; the only
    paragraphs it adds are each unit's own narrative filed in the period (under 一、总体情况)."""
    from campaigns.tests import legacy_reports
    from documents.preview import blocks

    _complete(world, small.dongshan, dt.date(2024, 3, 10))
    for persona in ("office", "township_b", "regulator_fire"):
        fig = reports.figures(world.user(persona), small.campaign, kind, year, month)
        before = legacy_reports.docx_bytes(small.campaign, fig, kind=kind)
        after = reports.docx_bytes(small.campaign, fig, kind=kind, user=world.user(persona))
        ctx = reports.docx_context(small.campaign, fig)
        added = {f"{r['unit']}（{r['task']}，{r['period']}，{r['state']}）：{r['narrative']}"
                 for r in ctx["unit_reports"]} | ({"各单位报送的工作进展如下："} if ctx["unit_reports"] else set())
        shown = [b.as_tuple() for b in blocks(after)]
        assert added <= {t[1] for t in shown}, (persona, kind)
        assert [t for t in shown if t[1] not in added] == [b.as_tuple() for b in blocks(before)], (persona, kind)
        assert Document(io.BytesIO(after)).core_properties.title == fig.title


def test_hostile_text_in_a_report_is_shown_as_written(world, small) -> None:
    from campaigns import services
    from documents.preview import blocks
    from documents.tests.payloads import ALL, P_JINJA, P_XML, as_shown

    campaign = services.campaign_update(actor=None, campaign=small.campaign, name=P_XML)
    services.plan_save(actor=None, campaign=campaign, plan=small.plan, kind=small.plan.kind, code="D3",
                       title="消防", short_name=P_JINJA, domain=small.plan.domain, sort=1)
    fig = reports.figures(world.user("office"), campaign, reports.MONTHLY, 2024, 3)
    fig.next_steps = list(ALL)
    data = reports.docx_bytes(campaign, fig, kind=reports.MONTHLY)
    text = "\n".join([b.text for b in blocks(data)] + [c for b in blocks(data) for r in b.rows for c in r])
    for payload in ALL:
        assert as_shown(payload) in text, payload
    assert as_shown(P_XML) in Document(io.BytesIO(data)).paragraphs[0].text  # the title stayed one paragraph
    assert f"D3 {P_JINJA}" in [c for b in blocks(data) for r in b.rows for c in r]  # the plan's own cell
    assert "49" not in text


def test_report_context_is_exactly_what_its_document_type_declares(world, small) -> None:
    from documents.registry import get_type, shape

    _complete(world, small.dongshan, dt.date(2024, 3, 10))
    january = reports.docx_context(small.campaign, reports.figures(world.user("office"), small.campaign,
                                                                   reports.MONTHLY, 2024, 1))
    march = reports.docx_context(small.campaign, reports.figures(world.user("office"), small.campaign,
                                                                 reports.MONTHLY, 2024, 3))
    assert january["overdue_units"] == [] and january["upcoming"]  # tasks due in February
    assert all(march[k] for k in ("plans", "overdue_units", "next_steps"))
    # Other modules' sections (campaigns.report_sections; none in this world): the rows their figures become.
    from campaigns.report_sections import ReportSection, SectionRow, docx_rows

    sections = docx_rows([ReportSection("x", "执法检查", [SectionRow("检查户次", "3")])])
    for kind in (reports.MONTHLY, reports.ANNUAL):
        sample = get_type(reports.doc_key(kind)).sample_context()
        assert shape({**march, "upcoming": january["upcoming"], "sections": sections}) == shape(sample)


def test_a_department_template_serves_the_reports_the_department_downloads(client, world, small) -> None:
    from documents import services
    from documents.registry import get_type
    from documents.tests.helpers import edited, upload

    for persona, line in (("regulator_fire", "消防救援大队月报文头"), ("office", "安委办月报文头")):
        version = services.template_upload(actor=world.user(persona), doc_type=get_type("campaign_monthly"),
                                           file=upload(edited("campaign_monthly", before=[line])))
        services.template_activate(actor=world.user(persona), template=version)
    url = reverse("campaigns:report_download", args=[small.campaign.pk, "docx"])
    for persona, line in (("regulator_fire", "消防救援大队月报文头"), ("office", "安委办月报文头"),
                          ("township_a", "安委办月报文头"), ("regulator", "安委办月报文头")):
        client.force_login(world.users[persona])
        response = client.get(url, {"kind": "monthly", "year": 2024, "month": 3})
        assert Document(io.BytesIO(response.content)).paragraphs[0].text == line, persona
    client.force_login(world.users["office"])
    annual = client.get(url, {"kind": "annual", "year": 2024})  # another document type: still the default
    assert "2024年度工作总结" in Document(io.BytesIO(annual.content)).paragraphs[0].text
