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
                                    narrative="完成", percent=100, today=day)
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
