"""Task tables (整治任务清单) in the seed's layout: 序号 | 任务 | 整治措施 | 责任单位 | 计划完成时间,
optionally preceded by a group column (专题项目 / 分组).

Import reads .xlsx through core.spreadsheet (python-calamine, within the import limits); the
header row may be anywhere in the first rows (a caption above it is skipped). Calamine gives a
merged cell's value only in its top-left cell, so every cell of a merged range takes that value.
A full-width merged row is a group heading for the rows below it. The import is all-or-nothing:
any bad row (empty task, unknown unit, unreadable deadline) stops it, and the report names every
such row in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.choices import AssignmentSource, TaskSource
from campaigns.deadlines import DeadlineError
from campaigns.models import Plan, Task
from campaigns.units import Assignment, resolve_responsible
from core.imports import Importer, Outcome, Progress
from core.spreadsheet import open_sheet
from core.xlsx import Style, Workbook

HEADER_SCAN_ROWS = 15
COLUMNS = ["group", "no", "item", "measures", "responsible", "deadline"]
HEADERS = {"group": "分组", "no": "序号", "item": "任务", "measures": "整治措施", "responsible": "责任单位",
           "deadline": "计划完成时间"}


def _column_kind(header: str) -> str | None:
    h = re.sub(r"\s+", "", header)
    if not h:
        return None
    if h in ("序号", "编号", "序"):
        return "no"
    if any(k in h for k in ("专题", "分组", "类别", "阶段任务")):
        return "group"
    if any(k in h for k in ("责任单位", "责任部门", "牵头单位", "责任主体")):
        return "responsible"
    if any(k in h for k in ("措施", "推进计划", "具体工作", "工作内容")):
        return "measures"
    if any(k in h for k in ("完成时间", "时限", "期限", "时间")):
        return "deadline"
    if any(k in h for k in ("任务", "项目", "事项", "清单")):
        return "item"
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).strip()


@dataclass
class ParsedRow:
    line: int  # 1-based row number in the sheet
    no: str
    group: str
    item: str
    measures: str
    responsible: str
    deadline_text: str
    values: dict[str, Any] = field(default_factory=dict)
    units: list[Assignment] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_grid(data: IO[bytes]) -> tuple[list[list[str]], set[int]]:
    """The first sheet as text, from A1, with merged ranges filled from their top-left cell,
    and the rows covered by a merge across three or more columns (group headings)."""
    sheet = open_sheet(data)  # the import limits apply here (ValidationError)
    grid = [[_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    width = max([len(r) for r in grid] + [0])
    for (_r0, _c0), (r1, c1) in sheet.merged_cell_ranges or []:
        width = max(width, c1 + 1)
        while len(grid) <= r1:
            grid.append([])
    for row in grid:
        row.extend([""] * (width - len(row)))
    merged_full: set[int] = set()
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        value = grid[r0][c0]
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r][c] = value
            if c1 - c0 >= 2:
                merged_full.add(r)
    return grid, merged_full


def find_header(grid: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            kind = _column_kind(cell)
            if kind and kind not in cols:
                cols[kind] = c
        if {"item", "responsible"} <= cols.keys() and ("deadline" in cols or "measures" in cols):
            return r, cols
    return None


def parse_table(data: IO[bytes], *, year: int) -> ImportResult:
    """Read and check every row; nothing is written."""
    result = ImportResult()
    try:
        grid, merged_rows = read_grid(data)
    except ValidationError as exc:  # over the size or row ceiling, or not a workbook at all
        result.errors.extend([_("无法读取文件：请上传 Excel（.xlsx）格式的任务清单。")] if exc.code == "unreadable"
                             else exc.messages)
        return result
    except Exception:  # noqa: BLE001 - calamine raises several kinds for a broken file
        result.errors.append(_("无法读取文件：请上传 Excel（.xlsx）格式的任务清单。"))
        return result
    header = find_header(grid)
    if header is None:
        result.errors.append(_("在前 %(n)d 行中找不到表头（需包含“任务”“责任单位”“计划完成时间”等列）。")
                             % {"n": HEADER_SCAN_ROWS})
        return result
    head_row, cols = header
    group = ""
    for r in range(head_row + 1, len(grid)):
        row = grid[r]
        cells = {k: row[c] if c < len(row) else "" for k, c in cols.items()}
        filled = {v for v in row if v}
        if not filled:
            continue
        line = r + 1
        if r in merged_rows and len(filled) == 1 and all(row[c] == next(iter(filled)) for c in cols.values()):
            group = next(iter(filled))  # a full-width heading row: （一）实施打通消防车通道工程
            continue
        parsed = ParsedRow(line=line, no=cells.get("no", ""), group=cells.get("group", "") or group,
                           item=cells.get("item", ""), measures=cells.get("measures", ""),
                           responsible=cells.get("responsible", ""), deadline_text=cells.get("deadline", ""))
        problems = []
        if not parsed.item:
            problems.append(_("任务为空"))
        if not parsed.responsible:
            problems.append(_("责任单位为空"))
        else:
            res = resolve_responsible(parsed.responsible)
            for name in res.unknown:
                problems.append(_("责任单位“%(u)s”不是系统中的单位（可在组织机构中添加单位或别名）") % {"u": name})
            for name in res.collective:
                result.notes.append(_("第 %(r)d 行：“%(u)s”为集合称谓，按集合单位分配") % {"r": line, "u": name})
            parsed.units = res.assignments
        try:
            parsed.values = services.deadline_values(parsed.deadline_text, default_year=year)
        except DeadlineError as exc:
            problems.append(str(exc))
        if problems:
            result.errors.append(_("第 %(r)d 行：%(p)s") % {"r": line, "p": "；".join(problems)})
        result.rows.append(parsed)
    if not result.rows and not result.errors:
        result.errors.append(_("表头下没有任务行。"))
    return result


@transaction.atomic
def import_table(*, actor: Any, plan: Plan, data: IO[bytes], year: int,
                 progress: Progress | None = None) -> ImportResult:
    """All-or-nothing: with any bad row nothing is written. Re-importing the plan's table of
    the same year updates its rows in place (matched by position)."""
    services.require_office(actor, plan.campaign)
    result = parse_table(data, year=year)
    if not result.ok:
        return result
    if progress:
        progress("write", 0, len(result.rows))
    existing = list(Task.objects.filter(plan=plan, source=TaskSource.TABLE, table_year=year).order_by("sort", "pk"))
    if len(existing) > len(result.rows):
        extra = existing[len(result.rows):]
        if any(t.reports.exists() for t in extra):
            result.errors.append(_("新清单比原清单少 %(n)d 行，而多出的任务已有进展报送，不能删除。")
                                 % {"n": len(extra)})
            return result
        for t in extra:
            services.task_delete(actor=actor, task=t)
    try:
        for i, row in enumerate(result.rows, start=1):
            if progress and i % 200 == 0:
                progress("write", i, len(result.rows))
            values = {"source": TaskSource.TABLE, "table_year": year, "number": row.no, "table_group": row.group,
                      "title": row.item, "text": row.item, "measures": row.measures,
                      "responsibility_text": row.responsible, "sort": i, "source_line": row.line,
                      "source_note": _("由任务清单导入"), **row.values}
            if i <= len(existing):
                services.task_update(actor=actor, task=existing[i - 1], units=row.units, **values)
                result.updated += 1
            else:
                services.task_create(actor=actor, plan=plan, units=row.units, unit_source=AssignmentSource.TEXT,
                                     **values)
                result.created += 1
    except ValidationError as exc:
        transaction.set_rollback(True)
        result.errors.append("；".join(exc.messages))
    return result


def export_table(tasks: list[Task], *, caption: str) -> bytes:
    """The seed layout, with consecutive equal 分组 / 序号 / 任务 cells merged as offices do."""
    with_group = any(t.table_group for t in tasks)
    keys = (["group"] if with_group else []) + ["no", "item", "measures", "responsible", "deadline"]
    book = Workbook()
    ws = book.sheet("整治任务清单")
    wrap = Style(text_wrap=True, valign="vcenter", border=1)
    head = Style(bold=True, align="center", valign="vcenter", border=1, bg_color="#DDEBF7")
    title = Style(bold=True, align="center", font_size=14)
    widths = {"group": 18, "no": 6, "item": 36, "measures": 50, "responsible": 24, "deadline": 16}
    for c, k in enumerate(keys):
        ws.set_column(c, c, widths[k])
    ws.merge(0, 0, 0, len(keys) - 1, caption, title)
    for c, k in enumerate(keys):
        ws.write(1, c, HEADERS[k], head)
    values = [{"group": t.table_group, "no": t.number, "item": t.title, "measures": t.measures,
               "responsible": t.responsibility_text or "、".join(link.unit.name for link in t.unit_links.all()
                                                                 if link.source == AssignmentSource.TEXT),
               "deadline": t.deadline_text} for t in tasks]
    for c, k in enumerate(keys):
        r = 0
        while r < len(values):
            end = r
            if k in ("group", "item"):
                while end + 1 < len(values) and values[end + 1][k] == values[r][k] and values[r][k] \
                        and (k == "group" or values[end + 1]["group"] == values[r]["group"]):
                    end += 1
            ws.merge(2 + r, c, 2 + end, c, values[r][k], wrap)
            r = end + 1
    ws.freeze_panes(2, 0)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    return book.getvalue()


def _run(*, actor: Any, file: IO[bytes] | Any, params: dict[str, Any], progress: Progress) -> Outcome:
    plan = Plan.objects.select_related("campaign").get(pk=params["plan"])
    result = import_table(actor=actor, plan=plan, data=file, year=params["year"], progress=progress)
    return Outcome(ok=result.ok, total=len(result.rows), created=result.created, updated=result.updated,
                   errors=[{"row": None, "column": "", "message": str(e)} for e in result.errors],
                   notes=[str(n) for n in result.notes])


def _plan(params: dict[str, Any]) -> Plan:
    return Plan.objects.select_related("campaign").get(pk=params["plan"])


IMPORTER = Importer(
    key="task_table", title=lambda params: _("导入任务清单：%(p)s") % {"p": _plan(params).title}, run=_run,
    upload_url=lambda params: reverse("campaigns:table_import", args=[_plan(params).campaign_id]),
    done_url=lambda params: reverse("campaigns:plan", args=[params["plan"]]),
    done_message=lambda job: _("已导入任务清单：新增 %(c)d 行，更新 %(u)d 行。") % {"c": job.created, "u": job.updated})
