"""The report builder as it was before the reports moved onto docxtpl templates (commit 4225cf3), kept
verbatim as the reference: the template-rendered reports must hold the same text on the same data."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from campaigns.models import Campaign
from campaigns.reports import Figures
from core.documents import text as doc_text


# -- .docx ------------------------------------------------------------------------------------
def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc: Any, text: str, *, font: str = "仿宋_GB2312", size: float = 16, bold: bool = False,
          center: bool = False, indent: bool = True) -> Any:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(doc_text(text)), font, size, bold)
    return p


def _table(doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(doc_text(text)), "黑体", 12)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(doc_text(value)), "仿宋_GB2312", 12)


def docx_bytes(campaign: Campaign, fig: Figures, *, kind: str, issued: dt.date | None = None) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    doc.core_properties.title = doc_text(fig.title)
    _para(doc, fig.title, font="方正小标宋简体", size=22, center=True)
    _para(doc, f"（{fig.start.year}年{fig.start.month}月{fig.start.day}日—{fig.end.year}年{fig.end.month}月"
               f"{fig.end.day}日）", size=16, center=True)
    _para(doc, "一、总体情况", font="黑体", indent=True)
    _para(doc, f"{campaign.name}共有整治任务{fig.total}项。截至{fig.period_label}末，已完成{fig.done}项，"
               f"完成率{fig.percent}%；本期完成{fig.done_in_period}项；逾期未完成{fig.overdue}项。"
               f"本期共收到进展报送{fig.reports_submitted}份，采纳{fig.reports_accepted}份，"
               f"退回{fig.reports_returned}份。")
    _para(doc, "二、各方案进展", font="黑体")
    _table(doc, ["方案", "任务数", "已完成", "完成率", "逾期"],
           [[p.label, p.total, p.done, f"{p.percent}%", p.overdue] for p in fig.plans])
    _para(doc, "三、逾期未完成任务的单位", font="黑体")
    if fig.overdue_units:
        _table(doc, ["责任单位", "逾期任务数"], [[name, n] for name, n in fig.overdue_units])
    else:
        _para(doc, "本期没有逾期未完成任务的单位。")
    _para(doc, "四、下一步工作", font="黑体")
    for i, step in enumerate(fig.next_steps, start=1):
        _para(doc, f"{'一二三四五六七八九十'[i - 1] if i <= 10 else i}是{step}")
    if fig.upcoming:
        _table(doc, ["任务", "完成期限"], [[f"{t.label} {t.title}", f"{t.deadline.year}年{t.deadline.month}月"
                                                                    f"{t.deadline.day}日"] for t in fig.upcoming])
    issued = issued or fig.end
    _para(doc, "")
    p = _para(doc, campaign.office_unit.name, indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = _para(doc, f"{issued.year}年{issued.month}月{issued.day}日", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
