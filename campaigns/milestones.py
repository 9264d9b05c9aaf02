"""Milestones of tasks (dated stages, occurrences of a recurring duty, a deadline in working days after an
event) and the campaign's reporting schedule: the writes (house style 4) and the reads the pages use.

A task whose phrase names one date keeps that date as its deadline and has no milestone. A task with several
stages, a recurring duty or a relative deadline gets one ``Milestone`` per due date, generated idempotently
(keyed) for the campaign's span; each open milestone is its own deadline on the escalation engine and the
task itself leaves the engine (its milestones carry its deadlines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaigns.choices import CLOSED_STAGES, CLOSED_TASK_STATES, DutyCycle, MilestoneKind
from campaigns.deadline_phrases import Schedule, Stage, occurrences, parse_schedule
from campaigns.models import Campaign, Milestone, Plan, ReportingDuty, Task
from core import audit

FIELDS = ["kind", "text", "due", "event_text", "workdays"]
DUTY_FIELDS = ["plan", "title", "text", "reporters_text", "recipient_text", "cycle", "month", "day", "due",
               "when_text", "note", "source_line", "sort"]
TEXT_FIELDS = {"title", "text", "reporters_text", "recipient_text", "cycle", "when_text", "note"}


@dataclass(frozen=True)
class Wanted:
    kind: str
    text: str
    due: dt.date | None
    event_text: str = ""
    workdays: int | None = None


def schedule_of(task: Task) -> Schedule:
    """The task's 计划完成时间 read as stages / a recurring duty / a relative deadline."""
    return parse_schedule(task.deadline_text, default_year=task.table_year or task.campaign.starts_on.year)


def wanted_for(task: Task, schedule: Schedule) -> dict[str, Wanted]:
    """The milestones a schedule gives a task within its campaign's span, by key (empty for one date)."""
    out: dict[str, Wanted] = {}
    stages = list(schedule.stages)
    if len(stages) > 1 or (stages and (schedule.cycle or schedule.relative)):
        for i, stage in enumerate(stages, start=1):
            out[f"s{i}"] = Wanted(MilestoneKind.STAGE, stage.text[:300], stage.due)
    if schedule.cycle is not None:
        campaign = task.campaign
        for due in occurrences(schedule.cycle, campaign.starts_on, campaign.ends_on):
            out[due.isoformat()] = Wanted(MilestoneKind.OCCURRENCE, schedule.text[:300], due)
    if schedule.relative is not None:
        out["r"] = Wanted(MilestoneKind.RELATIVE, schedule.text[:300], None, schedule.relative.event[:120],
                          schedule.relative.workdays)
    return out


def stages_schedule(task: Task, stages: Iterable[Stage]) -> Schedule:
    """A schedule made of stages found elsewhere than in the deadline phrase (a plan task's text)."""
    return Schedule("stages", task.deadline_text, tuple(sorted(stages, key=lambda s: s.due)))


@transaction.atomic
def milestones_sync(*, actor: Any, task: Task, schedule: Schedule | None = None) -> dict[str, int]:
    """Make the task's milestones those its schedule gives (its phrase, unless ``schedule`` is passed).
    Idempotent: a milestone already there keeps its row (and its escalation history); one no longer wanted
    is removed unless it was met; a relative deadline keeps its recorded event date."""
    from campaigns.services import require_office

    task = Task.objects.select_related("campaign").get(pk=task.pk)
    require_office(actor, task.campaign)
    counts = sync_rows(task, wanted_for(task, schedule if schedule is not None else schedule_of(task)))
    if any(counts.values()):
        audit.record(action="campaigns.milestone_sync", obj=task, changes={k: [0, v] for k, v in counts.items()})
    return counts


def sync_rows(task: Task, wanted: dict[str, Wanted], current: dict[str, Milestone] | None = None) -> dict[str, int]:
    """Write the milestone rows (the caller checks the actor, holds the transaction and records the change;
    ``current`` may be passed as {} for a task just created)."""
    if current is None:
        current = {m.key: m for m in task.milestones.all()}
    created, changed, gone = plan_rows(task, wanted, current)
    if created:
        Milestone.objects.bulk_create(created)
    if changed:
        Milestone.objects.bulk_update(changed, FIELDS)
    if gone:
        Milestone.objects.filter(pk__in=gone).delete()
    return row_counts(created, changed, gone)


def plan_rows(task: Task, wanted: dict[str, Wanted],
              current: dict[str, Milestone]) -> tuple[list[Milestone], list[Milestone], list[int]]:
    """What :func:`sync_rows` writes, unwritten: the new rows, the changed rows, the ids of rows to remove.
    The set-based task import (``campaigns.services.tasks_create``) writes the new rows of many tasks at once."""
    created, changed = [], []
    for key, w in wanted.items():
        m = current.get(key)
        if m is None:
            created.append(Milestone(task=task, key=key, kind=w.kind, text=w.text, due=w.due,
                                     event_text=w.event_text, workdays=w.workdays, domain_id=task.domain_id,
                                     jurisdiction_path=task.jurisdiction_path))
            continue
        due = w.due
        if w.kind == MilestoneKind.RELATIVE:  # keeps its recorded event; the due date follows the new count
            due = due_after(m.event_on, w.workdays) if m.event_on is not None and w.workdays else m.due
        if (m.kind, m.text, m.due, m.event_text, m.workdays) != (w.kind, w.text, due, w.event_text, w.workdays):
            m.kind, m.text, m.due, m.event_text, m.workdays = w.kind, w.text, due, w.event_text, w.workdays
            changed.append(m)
    gone = [m.pk for key, m in current.items() if key not in wanted and m.met_on is None]
    return created, changed, gone


def row_counts(created: list[Milestone], changed: list[Milestone], gone: list[int]) -> dict[str, int]:
    return {"added": len(created), "changed": len(changed), "removed": len(gone)}


def due_after(event_on: dt.date, workdays: int) -> dt.date:
    from workdays.services import add_workdays

    return add_workdays(event_on, workdays)


@transaction.atomic
def milestone_set_event(*, actor: Any, milestone: Milestone, event_on: dt.date) -> Milestone:
    """Record the date of the event a relative deadline counts from; the due date follows in working days."""
    from campaigns.lifecycle import require_writable
    from campaigns.services import require_office

    m = Milestone.objects.select_for_update().select_related("task__campaign").get(pk=milestone.pk)
    require_office(actor, m.task.campaign)
    require_writable(m.task.campaign)
    if m.kind != MilestoneKind.RELATIVE or not m.workdays:
        raise ValidationError(_("只有“事件后限期”的节点可以登记事件日期。"))
    if not 1900 <= event_on.year <= 2100:
        raise ValidationError(_("事件日期应在 1900 年至 2100 年之间。"))
    before = audit.snapshot(m, ["event_on", "due"])
    m.event_on, m.due = event_on, due_after(event_on, m.workdays)
    m.save(update_fields=["event_on", "due"])
    audit.record(action="campaigns.milestone_event", obj=m.task,
                 changes=audit.diff(before, audit.snapshot(m, ["event_on", "due"])), note=m.text)
    return m


@transaction.atomic
def milestone_mark_met(*, actor: Any, milestone: Milestone, met_on: dt.date) -> Milestone:
    """The office confirms a stage or an occurrence as done: it leaves the escalation engine."""
    from campaigns.lifecycle import require_writable
    from campaigns.services import require_office

    m = Milestone.objects.select_for_update().select_related("task__campaign").get(pk=milestone.pk)
    require_office(actor, m.task.campaign)
    require_writable(m.task.campaign)
    if m.met_on is not None:
        raise ValidationError(_("该节点已确认完成。"))
    if m.due is None:
        raise ValidationError(_("该节点尚无到期日，请先登记起算事件的日期。"))
    m.met_on, m.met_by = met_on, actor
    m.save(update_fields=["met_on", "met_by"])
    audit.record(action="campaigns.milestone_meet", obj=m.task, changes={"met_on": [None, str(met_on)]},
                 note=f"{m.text} {m.due or ''}".strip())
    return m


# -- reads ----------------------------------------------------------------------------------------------------
def open_milestones() -> QuerySet:
    """Milestones the escalation engine follows: not met, dated, of an open task of a campaign not closed."""
    return (Milestone.objects.filter(met_on__isnull=True, due__isnull=False)
            .exclude(task__status__in=CLOSED_TASK_STATES).exclude(task__campaign__stage__in=CLOSED_STAGES)
            .select_related("task__plan", "task__campaign__office_unit"))


def with_next_due(tasks: QuerySet, today: dt.date) -> QuerySet:
    """Annotate ``next_due``: the earliest open milestone from ``today`` on, else the task's deadline."""
    upcoming = (Milestone.objects.filter(task=OuterRef("pk"), met_on__isnull=True, due__gte=today)
                .order_by().values("task").annotate(first=Min("due")).values("first"))
    return tasks.annotate(next_due=Coalesce(Subquery(upcoming, output_field=DateField()), "deadline"))


# -- the campaign's reporting schedule ------------------------------------------------------------------------
@transaction.atomic
def duties_save(*, actor: Any, campaign: Campaign, duties: list[dict[str, Any]]) -> dict[str, int]:
    """Make the campaign's reporting schedule the given duties (by ``key``; idempotent)."""
    from campaigns.lifecycle import require_writable
    from campaigns.services import require_office

    require_office(actor, campaign)
    require_writable(campaign)
    plans = {p.code: p for p in Plan.objects.filter(campaign=campaign)}
    current = {d.key: d for d in campaign.reporting_duties.all()}
    counts = {"added": 0, "changed": 0, "removed": 0}
    keys = set()
    for sort, values in enumerate(duties):
        key = values["key"]
        keys.add(key)
        values = {**values, "sort": sort, "plan": plans.get(values.get("plan") or "")}
        values["due"] = dt.date.fromisoformat(values["due"]) if values.get("due") else None
        if values.get("cycle") not in DutyCycle.values:
            raise ValidationError(_("报送要求“%(key)s”的周期无效。") % {"key": key})
        duty = current.get(key) or ReportingDuty(campaign=campaign, key=key)
        before = audit.snapshot(duty, DUTY_FIELDS) if duty.pk else {}
        for f in DUTY_FIELDS:
            setattr(duty, f, values.get(f) if values.get(f) is not None else ("" if f in TEXT_FIELDS else None))
        changes = audit.diff(before, audit.snapshot(duty, DUTY_FIELDS))
        if changes or not duty.pk:
            counts["changed" if duty.pk else "added"] += 1
            duty.save()
            audit.record(action="campaigns.duty_save", obj=duty, changes=changes)
    for key, duty in current.items():
        if key not in keys:
            audit.record(action="campaigns.duty_delete", obj=duty, changes={"key": [key, None]})
            duty.delete()
            counts["removed"] += 1
    return counts
