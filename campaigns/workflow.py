"""The progress-report state machine, as a table (house style 6).

    (none)    --submit-->  submitted   by a responsible unit of the task
    submitted --return-->  returned    by the campaign office, with a comment
    returned  --submit-->  submitted   by the unit (resubmission)
    submitted --accept-->  accepted    by the campaign office

``accepted`` is final. A task becomes 已完成 only when a report that claims completion is
accepted; an accepted report below 100% moves the task to 推进中 and records its percentage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import ReportAction, ReportedStatus, ReportInterval, ReportState, TaskStatus
from campaigns.models import Campaign, ProgressEvent, ProgressReport, Task
from campaigns.models.scope import user_unit_ids
from campaigns.services import is_office_for
from core import audit

REPORTER = "reporter"
OFFICE = "office"

# (from state, action) -> (to state, who may)
TRANSITIONS: dict[tuple[str | None, str], tuple[str, str]] = {
    (None, ReportAction.SUBMIT): (ReportState.SUBMITTED, REPORTER),
    (ReportState.RETURNED, ReportAction.SUBMIT): (ReportState.SUBMITTED, REPORTER),
    (ReportState.SUBMITTED, ReportAction.RETURN): (ReportState.RETURNED, OFFICE),
    (ReportState.SUBMITTED, ReportAction.ACCEPT): (ReportState.ACCEPTED, OFFICE),
}
REPORT_FIELDS = ["reported_status", "narrative", "percent", "state", "review_comment"]


def allowed_actions(state: str | None) -> list[str]:
    return [action for (frm, action) in TRANSITIONS if frm == state]


def next_state(state: str | None, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)][0]
    except KeyError:
        label = dict(ReportState.choices).get(state or "", _("未报送"))
        raise ValidationError(_("当前状态“%(s)s”下不能%(a)s。") % {"s": label, "a": ReportAction(action).label}) \
            from None


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


def _check_who(who: str, actor: Any, report: ProgressReport | None, task: Task) -> None:
    if who == OFFICE:
        if not is_office_for(actor, task.campaign):
            raise PermissionDenied(_("只有本行动的安委办可以审核进展报送。"))
    elif report is not None and report.unit_id not in user_unit_ids(actor):
        raise PermissionDenied(_("只有报送单位可以修改并重新报送。"))
    elif report is None and not reporting_units(actor, task):
        raise PermissionDenied(_("您所在单位不是该任务的责任单位，不能报送进展。"))


def _event(report: ProgressReport, action: str, actor: Any, comment: str, now: dt.datetime) -> ProgressEvent:
    return ProgressEvent.objects.create(report=report, action=action, actor=actor,
                                        actor_unit_id=getattr(actor, "unit_id", None), comment=comment, at=now)


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
    unit_id = unit_id if unit_id in units else units[0]
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("该任务已确认完成，无需再报送。"))
    _validate(reported_status, narrative, percent)
    start, label = period_for(task.campaign, today)
    report = (ProgressReport.objects.select_for_update()
              .filter(task=task, unit_id=unit_id, period_start=start).first())
    before = audit.snapshot(report, REPORT_FIELDS) if report else {}
    to = next_state(report.state if report else None, ReportAction.SUBMIT)
    _check_who(TRANSITIONS[(report.state if report else None, ReportAction.SUBMIT)][1], actor, report, task)
    if report is None:
        report = ProgressReport(task=task, unit_id=unit_id, period_start=start, period_label=label)
    report.reported_status, report.narrative, report.percent = reported_status, narrative.strip(), int(percent)
    report.state, report.submitted_by, report.submitted_at = to, actor, now
    report.reviewed_by, report.reviewed_at = None, None
    report.save()
    _event(report, ReportAction.SUBMIT, actor, "", now)
    for f in files or ():
        from core.uploads import attach

        attach(actor=actor, owner=report, file=f, role="evidence")
    audit.record(action="report_submit", obj=report, changes=audit.diff(before, audit.snapshot(report, REPORT_FIELDS)))
    return report  # the task itself moves only when the office accepts


@transaction.atomic
def report_review(*, actor: Any, report: ProgressReport, action: str, comment: str = "",
                  now: dt.datetime | None = None) -> ProgressReport:
    """退回 (comment required) or 采纳 a submitted report; acceptance moves the task."""
    now = now or timezone.now()
    report = ProgressReport.objects.select_for_update().select_related("task__campaign", "unit").get(pk=report.pk)
    if action not in (ReportAction.RETURN, ReportAction.ACCEPT):
        raise ValidationError(_("审核只能退回或采纳。"))
    to = next_state(report.state, action)
    _check_who(TRANSITIONS[(report.state, action)][1], actor, report, report.task)
    comment = (comment or "").strip()
    if action == ReportAction.RETURN and not comment:
        raise ValidationError({"comment": _("退回时请填写退回意见。")})
    before = audit.snapshot(report, REPORT_FIELDS)
    report.state, report.review_comment, report.reviewed_by, report.reviewed_at = to, comment, actor, now
    report.save()
    _event(report, action, actor, comment, now)
    audit.record(action=f"report_{action}", obj=report, changes=audit.diff(before, audit.snapshot(report, REPORT_FIELDS)),
                 note=comment)
    if action == ReportAction.ACCEPT:
        _apply_to_task(report, now)
    _notify_review(report, action, comment)  # in the transaction: notify() writes its own audit event
    return report


def _apply_to_task(report: ProgressReport, now: dt.datetime) -> None:
    task = Task.objects.select_for_update().get(pk=report.task_id)
    before = audit.snapshot(task, ["status", "percent", "completed_on"])
    if report.claims_completion:
        task.status, task.percent = TaskStatus.DONE, 100
        task.completed_on = timezone.localdate(now)
    else:
        task.status = TaskStatus.IN_PROGRESS if report.percent > 0 or task.status == TaskStatus.IN_PROGRESS \
            else task.status
        task.percent = max(task.percent, report.percent)
    changes = audit.diff(before, audit.snapshot(task, ["status", "percent", "completed_on"]))
    if changes:
        task.save(update_fields=["status", "percent", "completed_on", "updated_at"])
        audit.record(action="progress_accepted", obj=task, changes=changes, note=str(report))


def _notify_review(report: ProgressReport, action: str, comment: str) -> None:
    from campaigns import integrations

    integrations.notify_review(report, action, comment)
