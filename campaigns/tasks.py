"""Periodic work: reminders of the progress-report schedule (checked daily)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("campaigns.report_reminders", dt.timedelta(days=1))
@task()
def report_reminders() -> int:
    from campaigns.reminders import remind_missing_reports

    with audit_context(source=Source.SYSTEM):
        return remind_missing_reports()
