"""Load the seed campaign (湘乡安发〔2020〕7号) from campaigns/data/xiangxiang-2020-plan.json.

Every plan, goal, numbered task, 2020 task-table row and phase is loaded with its text as
written; responsible units are resolved through ``orgs.selectors.resolve_units``. Collective
township/park names (各乡镇（街道）, 乡镇人民政府, 街道办事处, 园区) are kept and also expanded to
each member unit, so every township finds those tasks on its own page. Unresolvable names and
collective names that cannot be expanded are reported. Re-running changes nothing."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from campaigns import goals as goal_services
from campaigns import milestones, services
from campaigns.choices import AssignmentSource, DeadlineKind, PhaseKind, PlanKind, TaskSource, UnitRole
from campaigns.deadline_phrases import DeadlineError, Stage, parse_schedule
from campaigns.models import Campaign, Goal, Plan, Task
from campaigns.targets import parse_target
from campaigns.units import Assignment, Resolution, resolve_into, resolve_responsible
from orgs.models import Domain, Jurisdiction, Unit

DATA_FILE = Path(__file__).resolve().parent / "data" / "xiangxiang-2020-plan.json"
# The seed's own reporting duties (summaries and reports at stated times), quoted with their lines.
SCHEDULE_FILE = Path(__file__).resolve().parent / "data" / "xiangxiang-2020-schedule.json"
SOURCE_KEY = "xiangxiang-2020-7"
PHASE_KINDS = {"动员部署": PhaseKind.MOBILIZE, "排查整治": PhaseKind.RECTIFY, "集中攻坚": PhaseKind.TACKLE,
               "巩固提升": PhaseKind.CONSOLIDATE}
PLAN_KINDS = {"master": PlanKind.MASTER, "T": PlanKind.THEMATIC, "D": PlanKind.DOMAIN}
PLAN_EXTRA = ["title_in_annex_list", "annex_lead_units", "period", "phases", "safeguards", "checklists",
              "institutions", "notes"]


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    collective: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _month_end(ym: str) -> dt.date:
    y, m = (int(x) for x in ym.split("-")[:2])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _month_start(ym: str) -> dt.date:
    y, m = (int(x) for x in ym.split("-")[:2])
    return dt.date(y, m, 1)


def _resolve_names(report: SeedReport, where: str, groups: list[tuple[list[str], str]]) -> list[Assignment]:
    res = Resolution()
    for names, role in groups:
        for name in names:
            resolve_into(res, name, role)
    _note(report, where, res)
    return res.assignments


def _note(report: SeedReport, where: str, res: Resolution) -> None:
    for name in res.unknown:
        report.problems.append(f"{where}：责任单位“{name}”无法对应到组织机构中的单位，未分配")
    for name in res.collective:
        report.collective[name] = report.collective.get(name, 0) + 1


def _plan_values(p: dict[str, Any], sort: int, domains: dict[str, Domain]) -> dict[str, Any]:
    code = p["code"]
    kind = PLAN_KINDS["master" if code == "master" else code[0]]
    lines = p.get("source_lines") or [None, None]
    return {
        "kind": kind, "code": code, "annex": p.get("annex"), "title": p["title"],
        "short_name": p.get("short_name") or p["title"], "domain": domains.get(code),
        "preamble": p.get("preamble") or "", "objective_text": p.get("objective_text") or "",
        "responsibility_text": "\n".join(p.get("responsibility_text") or []), "units_note": p.get("units_note") or "",
        "period_text": ((p.get("period") or {}).get("text") or ""),
        "table_caption": (p.get("task_list_2020") or {}).get("caption") or "",
        "table_columns": (p.get("task_list_2020") or {}).get("columns") or [],
        "source_first_line": lines[0], "source_last_line": lines[1], "sort": sort,
        "extra": {k: p.get(k) for k in PLAN_EXTRA if p.get(k) not in (None, [], {})},
    }


def _task_values(t: dict[str, Any], sort: int) -> dict[str, Any]:
    title = (t.get("title") or "").strip()
    note = ""
    if not title:
        first = (t.get("text") or "").split("。")[0]
        title = first[:80] or t["no"]
        note = "原文无小标题，以首句作任务名称"
    deadlines = sorted(t.get("deadlines") or [])
    values: dict[str, Any] = {
        "source": TaskSource.PLAN, "number": t["no"], "section": t.get("section") or "", "title": title,
        "text": t.get("text") or "", "responsibility_text": "\n".join(t.get("responsibility_text") or []),
        "source_line": t.get("line"), "sort": sort, "deadline": None, "deadline_kind": DeadlineKind.NONE,
        "deadline_text": "", "recurrence": "",
    }
    if deadlines:
        values["deadline"] = _month_end(deadlines[-1])
        values["deadline_kind"] = DeadlineKind.DATE
        note = "；".join(filter(None, [note, "期限摘自任务原文：" + "、".join(deadlines)]))
    values["source_note"] = note
    return values


def _text_stages(t: dict[str, Any]) -> list[Stage]:
    """A plan task's stages: each distinct month its text names (``deadlines``), with the clause of the text
    that names it ("2020年底前，危险化学品生产企业全部完成…"; a clause that is only a date takes the next one)."""
    months = sorted(set(t.get("deadlines") or []))
    if len(months) < 2:
        return []
    found: dict[dt.date, str] = {}
    year = int(months[0][:4])
    for sentence in re.split(r"[。；;]", t.get("text") or ""):
        parts = [m for m in re.finditer(r"[^，,]+", sentence) if m[0].strip()]
        for i, part in enumerate(parts):
            for stage in parse_schedule(part[0], default_year=year).stages:
                year = stage.due.year
                end = part.end() if len(part[0].strip()) > 12 or i + 1 == len(parts) else parts[i + 1].end()
                found.setdefault(stage.due, sentence[part.start():end].strip())  # as written
    out = []
    for ym in months:
        due = _month_end(ym)
        out.append(Stage(due, (found.get(due) or f"{due.year}年{due.month}月底前（摘自任务原文）")[:300]))
    return out


def _row_values(r: dict[str, Any], year: int, report: SeedReport, where: str) -> dict[str, Any]:
    inherited = r.get("inherited") or {}
    text = r.get("deadline_text") or inherited.get("deadline_text") or ""
    notes = []
    if inherited:
        notes.append("合并单元格沿用上一行：" + "、".join(inherited))
    try:
        deadline = services.deadline_values(text, default_year=year)
    except DeadlineError as exc:
        report.problems.append(f"{where}：{exc}，期限留空")
        deadline = {"deadline": None, "deadline_kind": DeadlineKind.PENDING, "deadline_text": text, "recurrence": ""}
    return {
        "source": TaskSource.TABLE, "number": r.get("no") or "", "table_year": year,
        "table_group": r.get("group") or "", "title": r.get("item") or inherited.get("item") or "",
        "text": r.get("item") or "",
        "measures": r.get("measures") or "", "responsibility_text": r.get("responsible_text") or "",
        "source_line": r.get("line"), "sort": r["row_index"], "source_note": "；".join(notes), **deadline,
    }


def _row_units(r: dict[str, Any], report: SeedReport, where: str) -> list[Assignment]:
    """Resolve the cell's own text (so that 牵头/配合 are read); fall back to the spellings."""
    res = resolve_responsible(r.get("responsible_text") or "")
    if res.unknown or not res.assignments:
        res = Resolution()
        for i, name in enumerate(r.get("responsible_units") or []):
            resolve_into(res, name, UnitRole.LEAD if i == 0 else UnitRole.COOP)
    _note(report, where, res)
    return res.assignments


def _goal_values(g: dict[str, Any], sort: int) -> dict[str, Any]:
    parsed = parse_target(g.get("target"))
    return {
        "text": g["text"], "metric": g.get("metric") or "", "target_text": g.get("target") or "",
        "comparison": parsed[0] if parsed else "", "target_value": parsed[1] if parsed else None,
        "measure_unit": parsed[2] if parsed else "",
        "deadline": _month_end(g["deadline"]) if g.get("deadline") else None,
        "deadline_text": g.get("deadline_text") or "", "source": g.get("source") or "",
        "source_line": g.get("line"), "ref": g.get("ref") or "", "sort": sort,
    }


def _ensure_campaign(data: dict[str, Any], schedule: dict[str, Any]) -> Campaign:
    doc = data["document"]
    phases = data["phases"]
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("pk").first()
    office = Unit.objects.filter(name="市安委办").first()
    if root is None or office is None:
        raise RuntimeError("组织机构尚未加载（缺少行政区划或“市安委办”），请先运行 load_orgs")
    values = {
        "name": "湘乡市安全生产专项整治三年行动", "short_name": "专项整治三年行动",
        "document_number": doc["number"], "document_title": doc["title"], "issuer": doc["issuer"],
        "issued_on": dt.date.fromisoformat(doc["date"]), "issued_text": doc.get("date_text") or "",
        "addressees": doc.get("addressees") or "", "starts_on": _month_start(phases[0]["start"]),
        "ends_on": _month_end(phases[-1]["end"]), "office_unit": office, "jurisdiction": root,
        "extra": {k: doc[k] for k in ("plan_title", "transmittal_text", "signed_by") if doc.get(k)},
    }
    progress = schedule.get("progress_reports") or {}
    plan_interval = {"report_interval": progress.get("interval") or "monthly", "report_day": progress.get("day") or 25}
    campaign = Campaign.objects.filter(source_key=SOURCE_KEY).first()
    if campaign is None:
        from campaigns.choices import StageAction
        from campaigns.lifecycle import campaign_transition

        campaign = services.campaign_create(actor=None, source_key=SOURCE_KEY, **values, **plan_interval)
        # A published plan is being run: the seed starts in 实施 (``lifecycle.close_stale`` archives it later).
        return campaign_transition(actor=None, campaign=campaign, action=StageAction.START, system=True,
                                   note="载入已印发的方案")
    if campaign.is_archived:  # history is read-only: a re-run of the loader leaves an archived seed alone
        return campaign
    defaults = {f: Campaign._meta.get_field(f).default for f in plan_interval}
    if all(getattr(campaign, f) == v for f, v in defaults.items()) and not campaign.tasks.filter(
            reports__isnull=False).exists():
        values.update(plan_interval)  # loaded before the schedule was: still the model's monthly default
    # Keep the office's own settings (report schedule); bring the document's fields up to date.
    return services.campaign_update(actor=None, campaign=campaign, **values)


@transaction.atomic
def load_seed_campaign(path: Path | None = None, schedule_path: Path | None = None) -> SeedReport:
    data = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
    schedule = json.loads((schedule_path or SCHEDULE_FILE).read_text(encoding="utf-8"))
    report = SeedReport()
    campaign = _ensure_campaign(data, schedule)
    if campaign.is_archived:
        report.notes.append("专项整治三年行动已归档，保持原样（只读）")
        return report
    for i, ph in enumerate(data["phases"]):
        services.phase_save(actor=None, campaign=campaign, name=ph["name"], kind=PHASE_KINDS.get(ph["name"],
                            PhaseKind.OTHER), starts_on=_month_start(ph["start"]), ends_on=_month_end(ph["end"]),
                            heading=ph.get("heading") or "", text=ph.get("text") or "", source_line=ph.get("line"),
                            sort=i)
        report.count("阶段")
    domains = {d.code: d for d in Domain.objects.all()}
    for sort, p in enumerate(data["plans"]):
        code = p["code"]
        if code != "master" and code not in domains:
            report.problems.append(f"方案 {code}：行业领域代码不存在，方案未关联行业领域")
        plan_units = _resolve_names(report, f"方案 {code}", [(p.get("lead_units") or [], UnitRole.LEAD),
                                                            (p.get("coop_units") or [], UnitRole.COOP),
                                                            (p.get("implementing_units") or [],
                                                             UnitRole.IMPLEMENTING)])
        plan = Plan.objects.filter(campaign=campaign, code=code).first()
        values = _plan_values(p, sort, domains)
        # The seed's own plan types: 总方案, 12 行业领域, 2 专题 (another campaign has its own list).
        values["plan_type"] = services.plan_type_save(
            actor=None, campaign=campaign, code=code, name=values["short_name"][:60], kind=values["kind"],
            domain=values["domain"], sort=sort)
        plan = services.plan_save(actor=None, campaign=campaign, plan=plan, units=plan_units, **values)
        report.count("方案")
        existing = {(t.source, t.number if t.source == TaskSource.PLAN else str(t.sort)): t
                    for t in Task.objects.filter(plan=plan)}
        for tsort, t in enumerate(p.get("tasks") or [], start=1):
            where = f"方案 {code} 任务 {t['no']}"
            units = _resolve_names(report, where, [(t.get("lead_units") or [], UnitRole.LEAD),
                                                   (t.get("coop_units") or [], UnitRole.COOP),
                                                   (t.get("implementing_units") or [], UnitRole.IMPLEMENTING)])
            source = AssignmentSource.TEXT
            if not units:
                # T1/T2 tasks carry no clause of their own: the plan's division of work applies.
                units, source = plan_units, AssignmentSource.PLAN
            task = _save_task(plan, existing.get((TaskSource.PLAN, t["no"])), _task_values(t, tsort), units, source)
            stages = _text_stages(t)
            if stages or task.milestones.exists():
                milestones.milestones_sync(actor=None, task=task,
                                           schedule=milestones.stages_schedule(task, stages))
                if stages:
                    report.count("分阶段或周期任务")
            report.count("任务")
        table = p.get("task_list_2020") or {}
        for r in table.get("rows") or []:
            where = f"方案 {code} 2020年任务清单第 {r['row_index']} 行"
            values = _row_values(r, 2020, report, where)
            units = _row_units(r, report, where)
            task = _save_task(plan, existing.get((TaskSource.TABLE, str(r["row_index"]))), values, units,
                              AssignmentSource.TEXT)
            if milestones.wanted_for(task, milestones.schedule_of(task)) or task.milestones.exists():
                milestones.milestones_sync(actor=None, task=task)
                report.count("分阶段或周期任务")
            report.count("任务清单行")
        goals = list(Goal.objects.filter(plan=plan).order_by("sort", "pk"))
        for gsort, g in enumerate(p.get("goals") or []):
            current = goals[gsort] if gsort < len(goals) else None
            goal_services.goal_save(actor=None, plan=plan, goal=current, **_goal_values(g, gsort))
            report.count("目标指标")
    duties = [{**d, "source_line": d.get("line")} for d in schedule.get("duties") or []]
    milestones.duties_save(actor=None, campaign=campaign, duties=duties)
    report.count("报送要求", len(duties))
    for name, n in sorted(report.collective.items()):
        report.notes.append(f"集合称谓“{name}”出现 {n} 次，无法展开到具体单位，按集合单位分配")
    return report


def _save_task(plan: Plan, task: Task | None, values: dict[str, Any], units: list[Assignment], source: str) -> Task:
    if task is None:
        return services.task_create(actor=None, plan=plan, units=units, unit_source=source, **values)
    return services.task_update(actor=None, task=task, units=units, unit_source=source, **values)
