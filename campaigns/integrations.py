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
