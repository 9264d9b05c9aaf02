from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from core.background import register_periodic

logger = logging.getLogger("anzhi.escalation")


@register_periodic("escalation.sweep", dt.timedelta(hours=1))
@task()
def run_sweep() -> dict[str, int]:
    """Hourly: reminders before deadlines and the escalation ladder after them."""
    from escalation.services import sweep

    report = sweep()
    for line in report.lines():
        logger.info(line)
    return {"reminders": report.reminders, "applied": report.applied, "proposed": report.proposed,
            "notifications": report.notifications, "errors": len(report.errors),
            "paused_seconds": round(report.paused)}


@register_periodic("escalation.count_due", dt.timedelta(minutes=10))
@task()
def count_due() -> dict[str, int]:
    """Every ten minutes: recount the standing overdue/due-soon counts the home cards and the 督办台 read
    (``escalation.counts.refresh``; rows keyed by deadline day, so they stay right as days pass)."""
    from escalation.counts import refresh

    return refresh()


@task()
def rank_ladder(ladder_id: int) -> dict[str, int]:
    """After the office reordered or removed a ladder's steps: mark again which proposals a higher one outranks
    (``escalation.services.rank_ladder_proposals``)."""
    from escalation.services import rank_ladder_proposals

    return {"changed": rank_ladder_proposals(ladder_id)}
