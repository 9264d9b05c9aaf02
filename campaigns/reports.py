"""The monthly progress report (月度进展情况) and the annual summary (年度总结) as .docx in
official style (A4, 黑体 headings, 仿宋 body), and the same figures as .xlsx."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from campaigns.choices import DeadlineKind, ReportState, TaskStatus
from campaigns.models import Campaign, ProgressReport, Task, TaskUnit
from core.documents import text as doc_text
from core.xlsx import Style, Workbook

MONTHLY = "monthly"
ANNUAL = "annual"


@dataclass
class PlanFigure:
    label: str
    total: int
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Figures:
    title: str
    period_label: str
    start: dt.date
    end: dt.date
    total: int = 0
    done: int = 0
    done_in_period: int = 0
    overdue: int = 0
    reports_submitted: int = 0
    reports_accepted: int = 0
    reports_returned: int = 0
    plans: list[PlanFigure] = field(default_factory=list)
    overdue_units: list[tuple[str, int]] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def period(kind: str, year: int, month: int | None = None) -> tuple[dt.date, dt.date, str]:
    if kind == MONTHLY:
        assert month is not None
        return (dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]),
                f"{year}年{month}月")
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度"


def figures(user: Any, campaign: Campaign, kind: str, year: int, month: int | None = None) -> Figures:
    """Figures as at the end of the period, from the tasks the viewer may see."""
    start, end, label = period(kind, year, month)
    word = "工作进展情况" if kind == MONTHLY else "工作总结"
    fig = Figures(title=f"{campaign.name}{label}{word}", period_label=label, start=start, end=end)
    tasks = Task.objects.visible_to(user).filter(campaign=campaign)
    done_q = Q(status=TaskStatus.DONE, completed_on__lte=end)
    overdue_q = Q(deadline_kind=DeadlineKind.DATE, deadline__lte=end) & ~done_q
    agg = tasks.aggregate(total=Count("pk"), done=Count("pk", filter=done_q), overdue=Count("pk", filter=overdue_q),
                          done_in=Count("pk", filter=done_q & Q(completed_on__gte=start)))
    fig.total, fig.done, fig.overdue, fig.done_in_period = agg["total"], agg["done"], agg["overdue"], agg["done_in"]
    rows = (tasks.values("plan__code", "plan__short_name", "plan__sort")
            .annotate(total=Count("pk"), done=Count("pk", filter=done_q), overdue=Count("pk", filter=overdue_q))
            .order_by("plan__sort"))
    fig.plans = [PlanFigure(r["plan__short_name"] if r["plan__code"] == "master"
                            else f"{r['plan__code']} {r['plan__short_name']}", r["total"], r["done"], r["overdue"])
                 for r in rows]
    units = (TaskUnit.objects.filter(task__in=tasks.filter(overdue_q).values("pk"), unit__collective=False)
             .values("unit__name").annotate(n=Count("task_id", distinct=True)).order_by("-n", "unit__name"))
    fig.overdue_units = [(u["unit__name"], u["n"]) for u in units]
    reports = ProgressReport.objects.filter(task__in=tasks.values("pk"), period_start__gte=start,
                                            period_start__lte=end)
    ragg = reports.aggregate(all=Count("pk"), acc=Count("pk", filter=Q(state=ReportState.ACCEPTED)),
                             ret=Count("pk", filter=Q(state=ReportState.RETURNED)))
    fig.reports_submitted, fig.reports_accepted, fig.reports_returned = ragg["all"], ragg["acc"], ragg["ret"]
    horizon = end + dt.timedelta(days=31 if kind == MONTHLY else 366)
    fig.upcoming = list(tasks.filter(deadline_kind=DeadlineKind.DATE, deadline__gt=end, deadline__lte=horizon)
                        .exclude(status=TaskStatus.DONE).select_related("plan").order_by("deadline", "pk")[:20])
    fig.next_steps = _next_steps(fig, kind)
    return fig


def _next_steps(fig: Figures, kind: str) -> list[str]:
    steps = []
    if fig.overdue:
        steps.append(f"对逾期未完成的{fig.overdue}项任务逐项督办，责任单位限期说明原因并报送整改计划；"
                     f"对多次逾期的单位按规定予以通报、约谈。")
    if fig.upcoming:
        steps.append(f"{'下月' if kind == MONTHLY else '下一年度'}有{len(fig.upcoming)}项任务到期，"
                     f"各牵头单位要倒排工期、按期完成并及时报送进展。")
    if fig.reports_returned:
        steps.append(f"被退回的{fig.reports_returned}份进展报送，相关单位要按审核意见补充材料后重新报送。")
    steps.append("动态更新问题隐患和制度措施“两个清单”，坚持边查边改、立查立改。")
    return steps


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


def xlsx_bytes(fig: Figures) -> bytes:
    book = Workbook()
    bold = Style(bold=True)
    head = Style(bold=True, bg_color="#DDEBF7", border=1)
    ws = book.sheet("总体情况")
    ws.set_column(0, 0, 24)
    ws.write(0, 0, fig.title, bold)
    ws.write(1, 0, "统计期")
    ws.write(1, 1, fig.period_label)
    for r, (k, v) in enumerate([("任务总数", fig.total), ("已完成", fig.done), ("完成率（%）", fig.percent),
                                ("本期完成", fig.done_in_period), ("逾期未完成", fig.overdue),
                                ("进展报送", fig.reports_submitted), ("已采纳", fig.reports_accepted),
                                ("已退回", fig.reports_returned)], start=3):
        ws.write(r, 0, k)
        ws.write(r, 1, v)
    ws = book.sheet("各方案进展")
    ws.set_column(0, 0, 30)
    ws.write_row(0, ["方案", "任务数", "已完成", "完成率（%）", "逾期"], head)
    for r, p in enumerate(fig.plans, start=1):
        ws.write_row(r, [p.label, p.total, p.done, p.percent, p.overdue])
    ws = book.sheet("逾期单位")
    ws.set_column(0, 0, 30)
    ws.write_row(0, ["责任单位", "逾期任务数"], head)
    for r, (name, n) in enumerate(fig.overdue_units, start=1):
        ws.write_row(r, [name, n])
    return book.getvalue()
