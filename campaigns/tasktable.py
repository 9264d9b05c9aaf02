"""Task tables (整治任务清单) in the seed's layout: 序号 | 任务 | 整治措施 | 责任单位 | 计划完成时间,
optionally preceded by a group column (专题项目 / 分组).

The import is an importer on the one pipeline (core.imports): the header row may be anywhere in the first
rows (a caption above it is skipped); every cell of a merged range takes its top-left value; a full-width
merged row is a group heading for the rows below it. Headers are recognised by the words they contain
(责任部门, 完成时限 …). All or nothing: any bad row (empty task, unknown unit, unreadable deadline) stops it,
and the report names every such row in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import reimport, services, workflow
from campaigns.choices import AssignmentSource, DeadlineKind, TaskSource, TaskStatus
from campaigns.deadline_phrases import DeadlineError, names_a_date
from campaigns.models import Plan, ProgressReport, Task
from campaigns.reimport import Side
from campaigns.units import (
    Assignment,
    guesses,
    resolve_columns,
    resolve_responsible,
    resolve_spelling,
    split_responsible,
)
from campaigns.units import cached as units_cached
from core.imports import Importer, Outcome, Progress, Row, Run
from core.imports.reader import HEADER_SCAN_ROWS
from core.spreadsheet import Column, read_book
from core.xlsx import Style, Workbook

HEADERS = {"group": "分组", "no": "序号", "item": "任务", "measures": "整治措施", "responsible": "责任单位",
           "coop": "配合单位", "deadline": "计划完成时间"}


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


# In the order a header is tried against their keywords (专题项目 is a group, not a task).
COLUMNS = [
    Column(HEADERS["no"], "no", parse=_text, synonyms=("编号", "序")),
    Column(HEADERS["group"], "group", parse=_text, keywords=("专题", "分组", "类别", "阶段任务")),
    # 配合单位 before 责任单位: under a two-row header 责任单位 / 配合单位 names both.
    Column(HEADERS["coop"], "coop", parse=_text, synonyms=("配合单位", "配合部门", "协办单位", "参与单位"),
           keywords=("配合", "协办", "协同单位")),
    Column(HEADERS["responsible"], "responsible", parse=_text, synonyms=("牵头单位", "牵头部门"),
           keywords=("责任单位", "责任部门", "牵头单位", "牵头部门", "责任主体")),
    Column(HEADERS["measures"], "measures", parse=_text,
           keywords=("措施", "推进计划", "具体工作", "工作内容", "重点工作", "工作要求")),
    Column(HEADERS["deadline"], "deadline", parse=_text, keywords=("完成时间", "时限", "期限", "时间")),
    Column(HEADERS["item"], "item", parse=_text, keywords=("任务", "项目", "事项", "清单")),
]


@dataclass
class ParsedRow:
    line: int  # 1-based row number in the sheet
    no: str
    group: str
    item: str
    measures: str
    responsible: str  # as stored (责任单位 as written; with a 配合单位 column, both columns labelled)
    deadline_text: str
    values: dict[str, Any] = field(default_factory=dict)
    units: list[Assignment] = field(default_factory=list)


def read_grid(data: IO[bytes]) -> tuple[list[list[str]], set[int]]:
    """The first sheet as text, merged ranges filled, and the rows a merge across three or more columns covers."""
    sheet = read_book(data)[0]
    wide = {r for r0, c0, r1, c1 in sheet.merges if c1 - c0 >= 2 for r in range(r0, r1 + 1)}
    return [[_text(v) for v in row] for row in sheet.rows], wide


def _plan(params: dict[str, Any]) -> Plan:
    return Plan.objects.select_related("campaign").get(pk=params["plan"])


class TaskTableImporter(Importer):
    key = "task_table"
    heading_key = "group"
    empty_message = gettext_lazy("表头下没有任务行。")
    progress_every = 200

    @property
    def no_header_message(self) -> str:  # type: ignore[override]
        return _("在前 %(n)d 行中找不到表头（需包含“任务”“责任单位”“计划完成时间”等列）。") % {"n": HEADER_SCAN_ROWS}

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def header_found(self, keys: set[str], columns: Sequence[Column]) -> bool:
        return {"item", "responsible"} <= keys and bool(keys & {"deadline", "measures"})

    def title(self, params: dict[str, Any]) -> str:
        return _("导入任务清单：%(p)s") % {"p": _plan(params).title}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("campaigns:table_import", args=[_plan(params).campaign_id])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("campaigns:plan", args=[params["plan"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入任务清单：新增 %(c)d 行，更新 %(u)d 行。") % {"c": counts.created, "u": counts.updated}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        """Column choices are shared by everyone importing into one campaign's plans."""
        return f"campaign:{_plan(params).campaign_id}" if actor is not None else None

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        from campaigns.lifecycle import require_writable

        services.require_office(actor, _plan(params).campaign)
        require_writable(_plan(params).campaign)

    def prepare(self, run: Run) -> Plan:
        return _plan(run.params)

    def clean(self, row: Row, run: Run) -> ParsedRow:
        v = row.values
        lead, coop = v["responsible"], v.get("coop") or ""
        responsible = _("牵头单位：%(l)s；配合单位：%(c)s") % {"l": lead, "c": coop} if coop else lead
        parsed = ParsedRow(line=row.line, no=v["no"], group=v["group"], item=v["item"], measures=v["measures"],
                           responsible=responsible, deadline_text=v["deadline"])
        if not parsed.item:
            row.error(HEADERS["item"], _("任务为空"))
        if not lead:
            row.error(HEADERS["responsible"], _("责任单位为空"))
        else:
            res = resolve_columns(lead, coop) if coop else resolve_responsible(lead)
            for name in res.unknown:
                row.error(HEADERS["responsible"],
                          _("责任单位“%(u)s”不是系统中的单位（安委办可在“单位别名”页把它对应到单位或新建单位）") % {"u": name})
            for name in res.collective:
                run.outcome.notes.append(_("第 %(r)d 行：“%(u)s”为集合称谓，按集合单位分配") % {"r": row.line, "u": name})
            parsed.units = res.assignments
        try:
            parsed.values = services.deadline_values(parsed.deadline_text, default_year=run.params["year"])
        except DeadlineError as exc:
            if names_a_date(parsed.deadline_text):
                row.error(HEADERS["deadline"], str(exc))
            else:  # an undated phrase never blocks an import: kept as written, no deadline
                parsed.values = {"deadline": None, "deadline_kind": DeadlineKind.PENDING,
                                 "deadline_text": parsed.deadline_text, "recurrence": ""}
                run.outcome.notes.append(_("第 %(r)d 行：完成时限“%(t)s”未写明日期，按原文保存，不设期限") % {
                    "r": row.line, "t": parsed.deadline_text})
        return parsed

    def run(self, **kwargs: Any) -> Outcome:
        with units_cached():  # each unit spelling resolved once per import, not once per cell
            return super().run(**kwargs)

    def review(self, plan: Any, *, actor: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        with units_cached():
            return self._review(plan, actor=actor, params=params)

    def _review(self, plan: Any, *, actor: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        """Under the mapping preview: the unit spellings nothing resolves, with best guesses (the office maps
        each on the alias page, then refreshes), and what a re-import adds, changes and removes (rows matched as
        :meth:`write` matches them). Required — the preview is shown — when a spelling is unknown or a stored
        task would change."""
        try:
            sources = plan.rows()
        except ValidationError:
            return None
        keys = {c.key for c in plan.columns}
        unknown = unknown_spellings(_text(src.raw.get(k)) for src in sources for k in ("responsible", "coop")
                                    if k in keys)
        stored = list(stored_tasks(_plan(params), params["year"]))
        if not stored and not unknown:
            return None
        context: dict[str, Any] = {"template": "campaigns/_reimport_diff.html", "unknown": unknown,
                                   "alias_url": reverse("orgs:aliases"), "required": bool(unknown),
                                   "drop_manual": bool(params.get("drop_manual_units")), "stored": bool(stored)}
        if not stored:
            return context
        new = []
        for src in sources:
            values = {f: _text(src.raw.get(k)) for f, k in FIELD_KEYS.items() if k in keys}
            coop = _text(src.raw.get("coop"))
            if coop:
                values["responsibility_text"] = _("牵头单位：%(l)s；配合单位：%(c)s") % {
                    "l": values.get("responsibility_text", ""), "c": coop}
            new.append(Side(values, src.line))
        result = reimport.diff([task_side(t) for t in stored], new)
        reported = set(ProgressReport.objects.filter(task__in=stored).values_list("task_id", flat=True))
        labels = dict(reimport.FIELDS)
        rows = []
        for c in result.changes:
            if c.kind == reimport.UNCHANGED:
                continue
            task = c.old
            rows.append({"kind": c.kind, "line": c.new, "task": task,
                         "withdrawn": c.kind == reimport.REMOVED and task.pk in reported,
                         "fields": [{"label": labels[f], "before": c.before.get(f, ""), "after": c.after.get(f, "")}
                                    for f in c.changed],
                         "text": (c.after or c.before).get("title", "")})
        context.update(required=bool(unknown) or result.touches_existing, counts=result.counts, rows=rows)
        return context

    def write(self, items: list[ParsedRow], run: Run) -> None:
        """A re-import of the plan's table of the same year is applied as a diff (:mod:`campaigns.reimport`):
        matched rows update their task, new rows add one, a task no longer in the file is deleted — or, when it
        has reports, withdrawn (撤销) with its history. A task is never re-pointed to another row; units that
        reported on a task stay linked to it, and units added by hand stay unless the upload asked otherwise."""
        plan, year, actor = run.ctx, run.params["year"], run.actor
        existing = list(stored_tasks(plan, year).prefetch_related("unit_links"))
        result = reimport.diff([task_side(t) for t in existing], [row_side(r) for r in items])
        reported: dict[int, set[int]] = {}
        for task_id, unit_id in ProgressReport.objects.filter(task__in=existing).values_list("task_id", "unit_id"):
            reported.setdefault(task_id, set()).add(unit_id)
        drop_manual = bool(run.params.get("drop_manual_units"))
        assigned: dict[int, list[Task]] = {}  # each unit hears once of the tasks this table gives it
        new_rows: list[services.NewTask] = []  # created together, set-based, after the matched rows
        # Set-based (a fixed number of statements whatever the rows): removals first, then the matched rows,
        # then the new ones, each recorded as the row-by-row services record them.
        removed = [c.old for c in result.of(reimport.REMOVED)]
        to_withdraw = [t for t in removed if t.pk in reported]
        to_delete = [t for t in removed if t.pk not in reported]
        workflow.tasks_withdraw(actor=actor, plan=plan, tasks=to_withdraw, reason=_("重新导入的任务清单中已无此任务"))
        services.tasks_delete(actor=actor, plan=plan, tasks=to_delete)
        withdrawn, deleted = len(to_withdraw), len(to_delete)
        updates: list[services.TaskChange] = []
        i = 0
        for change in result.changes:
            if change.kind == reimport.REMOVED:
                continue
            i += 1
            run.tick("write", i)
            row = change.new
            values = {"source": TaskSource.TABLE, "table_year": year, "number": row.no, "table_group": row.group,
                      "title": row.item, "text": row.item, "measures": row.measures,
                      "responsibility_text": row.responsible, "sort": i, "source_line": row.line,
                      "source_note": _("由任务清单导入"), **row.values}
            if change.old is None:
                new_rows.append(services.NewTask(values, row.units))
                continue
            task = change.old
            keep = set(reported.get(task.pk, set()))
            if not drop_manual:
                keep |= {link.unit_id for link in task.unit_links.all()
                         if link.source in (AssignmentSource.MANUAL, AssignmentSource.PLAN)}
            updates.append(services.TaskChange(task, values, row.units, frozenset(keep)))
            if change.kind == reimport.CHANGED:
                run.outcome.updated += 1
        services.tasks_update(actor=actor, plan=plan, rows=updates, notify=assigned)
        if new_rows:
            services.tasks_create(actor=actor, plan=plan, rows=new_rows, unit_source=AssignmentSource.TEXT,
                                  notify=assigned)
            run.outcome.created += len(new_rows)
        if actor is not None:
            from campaigns import integrations

            for tasks in assigned.values():  # in the table's order, as when each row was written in turn
                tasks.sort(key=lambda t: t.sort)
            integrations.notify_assigned(assigned)
        if withdrawn or deleted:
            run.outcome.notes.append(_("原清单中有 %(n)d 项任务不在新清单中：%(w)d 项已有进展报送，已撤销并保留记录；"
                                       "%(d)d 项已删除。") % {"n": withdrawn + deleted, "w": withdrawn, "d": deleted})


FIELD_KEYS = {"table_group": "group", "number": "no", "title": "item", "measures": "measures",
              "responsibility_text": "responsible", "deadline_text": "deadline"}


def unknown_spellings(cells: Any) -> list[dict[str, Any]]:
    """Each unit spelling in the 责任单位 cells that resolves to no unit, once, with best-guess units."""
    seen: dict[str, dict[str, Any]] = {}
    known: set[str] = set()  # each spelling is resolved once, not once per cell (bench/campaign_import.py)
    for cell in cells:
        for name, _role in split_responsible(cell):
            if name in seen or name in known:
                continue
            if resolve_spelling(name):
                known.add(name)
            else:
                seen[name] = {"spelling": name, "guesses": guesses(name)}
    return list(seen.values())


def stored_tasks(plan: Plan, year: int) -> QuerySet[Task]:
    """The tasks a re-import of the plan's table of ``year`` is matched against (withdrawn ones stay out)."""
    return (Task.objects.filter(plan=plan, source=TaskSource.TABLE, table_year=year)
            .exclude(status=TaskStatus.WITHDRAWN).order_by("sort", "pk"))


def task_side(task: Task) -> Side:
    return Side({f: getattr(task, f) or "" for f in FIELD_KEYS}, task)


def row_side(row: ParsedRow) -> Side:
    return Side({"table_group": row.group, "number": row.no, "title": row.item, "measures": row.measures,
                 "responsibility_text": row.responsible, "deadline_text": row.deadline_text}, row)


IMPORTER = TaskTableImporter()


def import_table(*, actor: Any, plan: Plan, data: IO[bytes], year: int, progress: Progress | None = None) -> Outcome:
    """All-or-nothing: with any bad row nothing is written."""
    return IMPORTER.run(actor=actor, file=data, params={"plan": plan.pk, "year": year}, progress=progress)


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
