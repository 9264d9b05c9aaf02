"""Hooks into notifications."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def notify_review(report: Any, action: str, comment: str) -> None:
    """Tell the reporting unit that its report was returned or accepted."""
    try:
        from notifications.services import notify
    except ImportError:
        return
    from campaigns.choices import ReportAction

    task = report.task
    returned = action == ReportAction.RETURN
    title = (f"进展报送被退回：{task.label} {task.title}" if returned
             else f"进展报送已采纳：{task.label} {task.title}")[:200]
    notify(title=title, body=comment or "", url=reverse("campaigns:task_detail", args=[task.pk]),
           kind="info", units=[report.unit], obj=report,
           dedupe_key=f"campaigns.report:{report.pk}:{action}:{report.events.count()}")


def notify_report_arrived(report: Any) -> None:
    """After the commit: tell the campaign office (its reviewers) that a unit's report waits for review."""
    try:
        from notifications.services import notify
    except ImportError:
        return
    from core.workflow import after_commit

    task, unit, campaign = report.task, report.unit, report.task.campaign
    title = f"待审核进展报送：{unit.name} · {task.label} {task.title}"[:200]
    body = f"{campaign.name}，{report.period_label}：{report.narrative[:200]}"
    url = reverse("campaigns:reviews") + f"?campaign={campaign.pk}"
    key = f"campaigns.report-arrived:{report.pk}:{report.submitted_at.isoformat()}"
    after_commit(lambda: notify(title=title, body=body, url=url, kind="info", units=[campaign.office_unit],
                                obj=report, dedupe_key=key, source_key="campaigns.report"))


def notify_assigned(assigned: dict[int, list[Any]]) -> None:
    """After the commit: tell each unit of the tasks newly assigned to it ({unit id: [task, …]}), once per
    unit and write (one message for a whole imported table)."""
    try:
        from notifications.services import notify
    except ImportError:
        return
    from core.workflow import after_commit
    from orgs.models import Unit

    if not assigned:
        return
    plan = {uid: [(t.pk, f"{t.label} {t.title}", t.campaign_id, t.campaign.name) for t in tasks]
            for uid, tasks in assigned.items() if tasks}

    def send() -> None:
        for unit in Unit.objects.filter(pk__in=plan, collective=False):
            rows = plan[unit.pk]
            pk, label, campaign_id, campaign_name = rows[0]
            if len(rows) == 1:
                title, url = f"新分配整治任务：{label}", reverse("campaigns:task_detail", args=[pk])
            else:
                title = f"新分配{len(rows)}项整治任务：{campaign_name}"
                url = reverse("campaigns:my_tasks") + f"?campaign={campaign_id}"
            body = "\n".join(r[1] for r in rows[:20])
            notify(title=title[:200], body=body, url=url, kind="info", units=[unit],
                   dedupe_key=f"campaigns.assigned:{unit.pk}:{','.join(str(r[0]) for r in rows)}"[:200],
                   source_key="campaigns.task")

    after_commit(send)
