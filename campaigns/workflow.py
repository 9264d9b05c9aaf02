"""The progress-report state machine, as a table (house style 6, shape of ``core.workflow``).

    (none)    --submit-->  submitted   by a responsible unit of the task
    submitted --return-->  returned    by the campaign office, with a comment
    returned  --submit-->  submitted   by the unit (resubmission)
    submitted --accept-->  accepted    by the campaign office

``accepted`` is final. A report is one unit's report on its own part of the task (``TaskUnit``):
accepting it moves that unit's part only (已完成 when it claims completion, else 推进中 with its percentage).
The task follows from its parts (``decide_task``): it is 已完成 when every part of its 牵头 and 实施 units is
accepted as done (a task naming only 配合 units: every 配合 part); 配合 parts are reported and reviewed on their
own but do not hold the task open. A report does not exist before its first submission: that move creates it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import lifecycle  # noqa: F401  (registers the campaign lifecycle with the workflows)
from campaigns.choices import (
    DECIDING_ROLES,
    PartStatus,
    ReportAction,
    ReportedStatus,
    ReportInterval,
    ReportState,
    TaskStatus,
)
from campaigns.lifecycle import require_writable
from campaigns.models import Campaign, ProgressEvent, ProgressReport, Task, TaskUnit
from campaigns.models.scope import user_unit_ids
from campaigns.services import is_office_for
from core import audit, bulk
from core.workflow import Move, Step, Workflow, transition


def is_reporting_unit(actor: Any, report: ProgressReport) -> bool:
    """The report's unit is one the actor acts for (a new report's unit is always one of them)."""
    return report.unit_id in user_unit_ids(actor)


def is_office(actor: Any, report: ProgressReport) -> bool:
    return is_office_for(actor, report.task.campaign)


def _not_allowed(state: str | None, to: str | None, action: str | None) -> str:
    label = dict(ReportState.choices).get(state or "", _("未报送"))
    verb = ReportAction(action).label if action in ReportAction.values else action
    return _("当前状态“%(s)s”下不能%(a)s。") % {"s": label, "a": verb}


_SUBMIT = Move(ReportAction.SUBMIT, gettext_lazy("报送"), is_reporting_unit, gettext_lazy("报送单位"),
               accepts=("reported_status", "narrative", "percent"),
               refusal=gettext_lazy("只有报送单位可以修改并重新报送。"))
_OFFICE_ONLY = gettext_lazy("只有本行动的安委办可以审核进展报送。")
TRANSITIONS = Workflow("campaigns.report", {
    (None, ReportState.SUBMITTED): _SUBMIT,
    (ReportState.RETURNED, ReportState.SUBMITTED): _SUBMIT,
    (ReportState.SUBMITTED, ReportState.RETURNED): Move(
        ReportAction.RETURN, gettext_lazy("退回"), is_office, gettext_lazy("安委办"), note_required=True,
        note_hint=gettext_lazy("退回时请填写退回意见。"), refusal=_OFFICE_ONLY, style="outline-warning"),
    (ReportState.SUBMITTED, ReportState.ACCEPTED): Move(
        ReportAction.ACCEPT, gettext_lazy("采纳"), is_office, gettext_lazy("安委办"), refusal=_OFFICE_ONLY,
        style="success"),
}, choices=ReportState, field="state", note_field="comment",
    not_allowed=_not_allowed)
REPORT_FIELDS = ["reported_status", "narrative", "percent", "state", "review_comment"]


def allowed_actions(state: str | None) -> list[str]:
    return [move.action for _to, move in TRANSITIONS.moves_from(state)]


def next_state(state: str | None, action: str) -> str:
    found = TRANSITIONS.find(state, action)
    if found is None:
        raise ValidationError(_not_allowed(state, None, action))
    return found[0]


# -- reporting periods ----------------------------------------------------------------------
_MONTHS = {ReportInterval.MONTHLY: 1, ReportInterval.QUARTERLY: 3, ReportInterval.HALF_YEARLY: 6,
           ReportInterval.YEARLY: 12}


def period_for(campaign: Campaign, day: dt.date) -> tuple[dt.date, str]:
    """(first day, label) of the reporting period containing ``day``."""
    months = _MONTHS.get(campaign.report_interval, 1)
    first_month = ((day.month - 1) // months) * months + 1
    start = dt.date(day.year, first_month, 1)
    if months == 1:
        label = f"{day.year}年{day.month}月"
    elif months == 3:
        label = f"{day.year}年第{'一二三四'[(first_month - 1) // 3]}季度"
    elif months == 6:
        label = f"{day.year}年{'上' if first_month == 1 else '下'}半年"
    else:
        label = f"{day.year}年度"
    return start, label


def period_due(campaign: Campaign, period_start: dt.date) -> dt.date:
    """Reports for a period are due on ``report_day`` of its last month."""
    months = _MONTHS.get(campaign.report_interval, 1)
    last_month = period_start.month + months - 1
    return dt.date(period_start.year, last_month, min(campaign.report_day, 28))


# -- who may ---------------------------------------------------------------------------------
def reporting_units(actor: Any, task: Task) -> list[int]:
    """The actor's units that have a part in the task."""
    units = user_unit_ids(actor)
    if not units:
        return []
    return list(task.unit_links.filter(unit_id__in=units).values_list("unit_id", flat=True))


def _event(step: Step) -> ProgressEvent:
    return ProgressEvent.objects.create(report=step.obj, action=step.action, actor=step.actor,
                                        actor_unit_id=getattr(step.actor, "unit_id", None), comment=step.note,
                                        at=step.now)


def _validate(reported_status: str, narrative: str, percent: int) -> None:
    errors: dict[str, str] = {}
    if reported_status not in ReportedStatus.values:
        errors["reported_status"] = _("请选择进展情况。")
    if not (narrative or "").strip():
        errors["narrative"] = _("请填写工作进展。")
    if not 0 <= int(percent) <= 100:
        errors["percent"] = _("完成进度应在 0 到 100 之间。")
    elif reported_status == ReportedStatus.DONE and int(percent) != 100:
        errors["percent"] = _("报送“已完成”时完成进度应为 100%。")
    if errors:
        raise ValidationError(errors)


def _apply_submission(step: Step) -> None:
    report = step.obj
    report.reported_status, report.narrative, report.percent = (step.data["reported_status"],
                                                                step.data["narrative"], step.data["percent"])
    report.submitted_by, report.submitted_at = step.actor, step.now
    report.reviewed_by, report.reviewed_at = None, None


def _apply_review(step: Step) -> None:
    report = step.obj
    report.review_comment, report.reviewed_by, report.reviewed_at = step.note, step.actor, step.now


def _after_review(step: Step) -> None:
    if step.action == ReportAction.ACCEPT:
        _apply_to_task(step.obj, step.now)
    # In the transaction, not after it: notify() writes its own change-log entry, and the reporting unit
    # reads the outcome with the report.
    _notify_review(step.obj, step.action, step.note)


@transaction.atomic
def report_submit(*, actor: Any, task: Task, reported_status: str, narrative: str, percent: int,
                  files: list[Any] = (), today: dt.date | None = None, unit_id: int | None = None,
                  now: dt.datetime | None = None) -> ProgressReport:
    """报送 (or 重新报送 after a return) the actor's unit's report for the current period."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    task = Task.objects.select_for_update().select_related("campaign").get(pk=task.pk)
    units = reporting_units(actor, task)
    if not units:
        raise PermissionDenied(_("您所在单位不是该任务的责任单位，不能报送进展。"))
    if unit_id not in units:  # the first of the actor's units whose part is still open
        open_units = set(TaskUnit.objects.filter(task=task, unit_id__in=units).exclude(status=PartStatus.DONE)
                         .values_list("unit_id", flat=True))
        unit_id = next((u for u in units if u in open_units), units[0])
    require_writable(task.campaign)
    if task.status == TaskStatus.WITHDRAWN:
        raise ValidationError(_("该任务已撤销，不再报送。"))
    part = TaskUnit.objects.get(task=task, unit_id=unit_id)
    if part.status == PartStatus.DONE:
        raise ValidationError(_("本单位承担的部分已确认完成，无需再报送。"))
    _validate(reported_status, narrative, percent)
    start, label = period_for(task.campaign, today)
    report = (ProgressReport.objects.filter(task=task, unit_id=unit_id, period_start=start).first()
              or ProgressReport(task=task, unit_id=unit_id, period_start=start, period_label=label))
    report = transition(
        workflow=TRANSITIONS, obj=report, action=ReportAction.SUBMIT, actor=actor, now=now,
        data={"reported_status": reported_status, "narrative": narrative.strip(), "percent": int(percent)},
        apply=_apply_submission, event=_event, audit_fields=REPORT_FIELDS)
    for f in files or ():
        from core.uploads import attach

        attach(actor=actor, owner=report, file=f, role="evidence")
    from campaigns import integrations

    integrations.notify_report_arrived(report)
    return report  # the unit's part and the task move only when the office accepts


def report_review(*, actor: Any, report: ProgressReport, action: str, comment: str = "",
                  now: dt.datetime | None = None) -> ProgressReport:
    """退回 (comment required) or 采纳 a submitted report; acceptance moves the task."""
    if action not in (ReportAction.RETURN, ReportAction.ACCEPT):
        raise ValidationError(_("审核只能退回或采纳。"))
    require_writable(report.task.campaign)
    return transition(
        workflow=TRANSITIONS, obj=report, action=action, actor=actor, note=comment, now=now,
        lock=lambda r: (ProgressReport.objects.select_for_update().select_related("task__campaign", "unit")
                        .get(pk=r.pk)),
        apply=_apply_review, event=_event, on_applied=_after_review, audit_fields=REPORT_FIELDS)


def deciding_parts(parts: list[TaskUnit]) -> list[TaskUnit]:
    """The parts that decide when a task is done: its 牵头 and 实施 units' (collective names, which nobody
    reports for, left out); a task naming only 配合 units is decided by theirs."""
    concrete = [p for p in parts if not p.unit.collective]
    return [p for p in concrete if p.role in DECIDING_ROLES] or concrete


def decide_task(parts: list[TaskUnit]) -> tuple[str | None, int, dt.date | None]:
    """(status, percent, completed_on) of a task from its units' parts; status None = leave it as it is."""
    deciding = deciding_parts(parts)
    if not deciding:
        return None, 0, None
    percent = sum(p.percent for p in deciding) // len(deciding)
    if all(p.status == PartStatus.DONE for p in deciding):
        return TaskStatus.DONE, 100, max((p.completed_on for p in deciding if p.completed_on), default=None)
    if any(p.status != PartStatus.OPEN or p.percent for p in parts):
        return TaskStatus.IN_PROGRESS, percent, None
    return TaskStatus.OPEN, percent, None


def _apply_to_task(report: ProgressReport, now: dt.datetime) -> None:
    """An accepted report moves its unit's part; the task follows from the parts (``decide_task``)."""
    task = Task.objects.select_for_update().get(pk=report.task_id)
    part = TaskUnit.objects.select_for_update().select_related("unit").get(task=task, unit_id=report.unit_id)
    part_before = audit.snapshot(part, ["status", "percent", "completed_on"])
    if report.claims_completion:
        part.status, part.percent, part.completed_on = PartStatus.DONE, 100, timezone.localdate(now)
    else:
        part.percent = max(part.percent, report.percent)
        if report.percent > 0:
            part.status = PartStatus.IN_PROGRESS
    part_changes = audit.diff(part_before, audit.snapshot(part, ["status", "percent", "completed_on"]))
    if part_changes:
        part.save(update_fields=["status", "percent", "completed_on"])
    parts = list(task.unit_links.select_related("unit"))
    before = audit.snapshot(task, ["status", "percent", "completed_on"])
    status, percent, completed_on = decide_task(parts)
    if status is None:  # no concrete unit to decide by: the accepted claim decides, as before parts existed
        status = TaskStatus.DONE if report.claims_completion else (
            TaskStatus.IN_PROGRESS if report.percent > 0 else task.status)
        percent = 100 if report.claims_completion else max(task.percent, report.percent)
        completed_on = timezone.localdate(now) if report.claims_completion else None
    if task.status != TaskStatus.WITHDRAWN:
        task.status, task.percent, task.completed_on = status, percent, completed_on
    changes = audit.diff(before, audit.snapshot(task, ["status", "percent", "completed_on"]))
    if part_changes:
        changes[f"part:{part.unit.name}"] = [part_before.get("status"), part.status]
    if changes:
        task.save(update_fields=["status", "percent", "completed_on", "updated_at"])
        audit.record(action="campaigns.progress_accept", obj=task, changes=changes, note=str(report))


def _notify_review(report: ProgressReport, action: str, comment: str) -> None:
    from campaigns import integrations

    integrations.notify_review(report, action, comment)


def task_withdraw(*, actor: Any, task: Task, reason: str) -> Task:
    """撤销: a task that left a re-issued task table but carries reports stays, withdrawn, with its reports
    and history (never deleted, never re-pointed). Withdrawn tasks are not reported on, reminded or escalated."""
    from campaigns.services import require_office

    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("campaign").get(pk=task.pk)
        require_office(actor, task.campaign)
        require_writable(task.campaign)
        if task.status == TaskStatus.WITHDRAWN:
            return task
        before = audit.snapshot(task, ["status"])
        task.status = TaskStatus.WITHDRAWN
        task.save(update_fields=["status", "updated_at"])
        audit.record(action="campaigns.task_withdraw", obj=task,
                     changes=audit.diff(before, audit.snapshot(task, ["status"])), note=reason)
    return task


def tasks_withdraw(*, actor: Any, plan: Any, tasks: list[Task], reason: str) -> list[Task]:
    """:func:`task_withdraw` of many tasks of one plan, set-based: locked together, one ``UPDATE`` and one
    ``campaigns.task_withdraw`` event each (``audit.record_many``); tasks already withdrawn are left as they are."""
    from campaigns.services import CHUNK, require_office

    if not tasks:
        return []
    with transaction.atomic():
        require_office(actor, plan.campaign)
        require_writable(plan.campaign)
        ids = sorted(t.pk for t in tasks)
        locked: dict[int, Task] = {}
        for i in range(0, len(ids), CHUNK):
            locked.update((t.pk, t) for t in Task.objects.select_for_update().select_related("campaign")
                          .filter(pk__in=ids[i:i + CHUNK]).order_by("pk"))
        out, events = [], []
        for task in (locked[t.pk] for t in tasks):
            if task.campaign_id != plan.campaign_id:
                require_office(actor, task.campaign)
                require_writable(task.campaign)
            out.append(task)
            if task.status == TaskStatus.WITHDRAWN:
                continue
            before = audit.snapshot(task, ["status"])
            task.status = TaskStatus.WITHDRAWN
            events.append(("campaigns.task_withdraw", task, audit.diff(before, audit.snapshot(task, ["status"])),
                           reason))
        now = timezone.now()
        for _action, task, _changes, _note in events:
            task.updated_at = now
        bulk.update_rows(Task, ["status", "updated_at"], [(t.pk, t.status, now) for _a, t, _c, _n in events])
        audit.record_many(events)
    return out
