"""The monthly progress report (月度进展情况) and the annual summary (年度总结): the figures, the .docx made
from the Word template of its document type (``campaigns.doc_templates``), and the same figures as .xlsx."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from campaigns import report_sections
from campaigns.choices import DeadlineKind, ReportState, TaskStatus
from campaigns.doc_templates import ANNUAL_KEY, MONTHLY_KEY
from campaigns.models import Campaign, ProgressReport, Task, TaskUnit
from core.xlsx import Style, Workbook
from orgs.choices import UnitKind

MONTHLY = "monthly"
ANNUAL = "annual"
CN_NUMBERS = "一二三四五六七八九十"


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
    as_of: dt.date | None = None  # the period's last day, or today while the period is not over
    unit_reports: list[ProgressReport] = field(default_factory=list)  # filed in the period, each unit's own words

    @property
    def period_open(self) -> bool:
        return self.as_of is not None and self.as_of < self.end

    @property
    def open_note(self) -> str:
        if not self.period_open:
            return ""
        assert self.as_of is not None
        return (f"本统计期尚未结束，数据截至{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日；"
                f"期限在此之后的任务不计为逾期。")
    sections: list[report_sections.ReportSection] = field(default_factory=list)  # other modules' (report_sections)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def period(kind: str, year: int, month: int | None = None) -> tuple[dt.date, dt.date, str]:
    if kind == MONTHLY:
        assert month is not None
        return (dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]),
                f"{year}年{month}月")
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度"


def figures(user: Any, campaign: Campaign, kind: str, year: int, month: int | None = None,
            today: dt.date | None = None) -> Figures:
    """Figures as at the end of the period — or, while it is not over, as at today (a task due later this
    period is not yet overdue: the annual report made on 11-30 does not count December) — from the tasks the
    viewer may see."""
    from django.utils import timezone

    start, end, label = period(kind, year, month)
    word = "工作进展情况" if kind == MONTHLY else "工作总结"
    fig = Figures(title=f"{campaign.name}{label}{word}", period_label=label, start=start, end=end)
    today = today or timezone.localdate()
    fig.as_of = as_of = min(end, max(today, start - dt.timedelta(days=1)))
    tasks = Task.objects.visible_to(user).filter(campaign=campaign)
    done_q = Q(status=TaskStatus.DONE, completed_on__lte=as_of)
    overdue_q = (Q(deadline_kind=DeadlineKind.DATE, deadline__lte=end) & Q(deadline__lt=as_of)
                 & ~done_q & ~Q(status=TaskStatus.WITHDRAWN))
    if as_of == end:
        overdue_q = Q(deadline_kind=DeadlineKind.DATE, deadline__lte=end) & ~done_q & ~Q(status=TaskStatus.WITHDRAWN)
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
    # Reports FILED in the period, whatever their own reporting period (a quarterly report filed in November
    # counts in November's report).
    reports = ProgressReport.objects.filter(task__in=tasks.values("pk"), submitted_at__date__gte=start,
                                            submitted_at__date__lte=end)
    ragg = reports.aggregate(all=Count("pk"), acc=Count("pk", filter=Q(state=ReportState.ACCEPTED)),
                             ret=Count("pk", filter=Q(state=ReportState.RETURNED)))
    fig.reports_submitted, fig.reports_accepted, fig.reports_returned = ragg["all"], ragg["acc"], ragg["ret"]
    fig.unit_reports = list(reports.select_related("unit", "task__plan").order_by("unit__sort", "unit__name",
                                                                                   "submitted_at", "pk")[:200])
    horizon = end + dt.timedelta(days=31 if kind == MONTHLY else 366)
    fig.upcoming = list(tasks.filter(deadline_kind=DeadlineKind.DATE, deadline__gt=end, deadline__lte=horizon)
                        .exclude(status=TaskStatus.DONE).select_related("plan").order_by("deadline", "pk")[:20])
    fig.next_steps = _next_steps(fig, kind)
    fig.sections = report_sections.build(user, start, end)
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
def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def doc_key(kind: str) -> str:
    return MONTHLY_KEY if kind == MONTHLY else ANNUAL_KEY


def docx_context(campaign: Campaign, fig: Figures, *, issued: dt.date | None = None) -> dict[str, Any]:
    """The report's data as its template sees it (declared in ``campaigns.doc_templates``)."""
    return {
        "campaign": {"name": campaign.name, "office": campaign.office_unit.name},
        "report": {"title": fig.title, "period": fig.period_label, "start": _cn(fig.start), "end": _cn(fig.end),
                   "issued": _cn(issued or fig.as_of or fig.end), "as_of": _cn(fig.as_of or fig.end),
                   "open_note": fig.open_note},
        "unit_reports": [{"unit": r.unit.name, "task": f"{r.task.label} {r.task.title}", "period": r.period_label,
                          "state": r.get_state_display(), "narrative": r.narrative} for r in fig.unit_reports],
        "figures": {"total": fig.total, "done": fig.done, "percent": fig.percent, "done_in_period": fig.done_in_period,
                    "overdue": fig.overdue, "reports_submitted": fig.reports_submitted,
                    "reports_accepted": fig.reports_accepted, "reports_returned": fig.reports_returned},
        "plans": [{"label": p.label, "total": p.total, "done": p.done, "percent": p.percent, "overdue": p.overdue}
                  for p in fig.plans],
        "overdue_units": [{"name": name, "count": n} for name, n in fig.overdue_units],
        "next_steps": [{"number": CN_NUMBERS[i - 1] if i <= len(CN_NUMBERS) else str(i), "text": step}
                       for i, step in enumerate(fig.next_steps, start=1)],
        "upcoming": [{"name": f"{t.label} {t.title}", "deadline": _cn(t.deadline)} for t in fig.upcoming],
        "sections": report_sections.docx_rows(fig.sections),
    }


def docx_owners(user: Any, campaign: Campaign, kind: str) -> list[Any]:
    """Whose template a report uses: a department's own version for the report it downloads (its own tasks),
    else the campaign office's."""
    from documents.registry import get_type
    from documents.selectors import managed_unit

    own = managed_unit(user, get_type(doc_key(kind))) if user is not None else None
    return [own if own is not None and own.kind == UnitKind.DEPARTMENT else None, campaign.office_unit]


def docx_bytes(campaign: Campaign, fig: Figures, *, kind: str, issued: dt.date | None = None,
               user: Any = None) -> bytes:
    """The report as a Word document, from the template that serves ``user`` (see :func:`docx_owners`)."""
    from documents.rendering import generate

    return generate(doc_key(kind), docx_context(campaign, fig, issued=issued),
                    owners=docx_owners(user, campaign, kind), title=fig.title)


def xlsx_bytes(fig: Figures) -> bytes:
    book = Workbook()
    bold = Style(bold=True)
    head = Style(bold=True, bg_color="#DDEBF7", border=1)
    ws = book.sheet("总体情况")
    ws.set_column(0, 0, 24)
    ws.write(0, 0, fig.title, bold)
    ws.write(1, 0, "统计期")
    ws.write(1, 1, fig.period_label)
    if fig.open_note:
        ws.write(2, 0, fig.open_note)
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
    ws = book.sheet("各单位工作进展")
    ws.set_column(0, 1, 24)
    ws.set_column(4, 4, 60)
    ws.write_row(0, ["报送单位", "任务", "报送周期", "审核状态", "工作进展（原文）"], head)
    for r, rep in enumerate(fig.unit_reports, start=1):
        ws.write_row(r, [rep.unit.name, f"{rep.task.label} {rep.task.title}", rep.period_label,
                         rep.get_state_display(), rep.narrative])
    report_sections.write_xlsx(book, fig.sections)
    return book.getvalue()
