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
            "notifications": report.notifications, "errors": len(report.errors)}
