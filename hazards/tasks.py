"""Periodic work: the 一单N制 通报 of overdue listed hazards (every half month by default)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("hazards.bulletin", dt.timedelta(days=1))
@task()
def hazard_bulletin() -> int | None:
    """Checked daily; a circular is issued only when the period (template.circular_days) has passed.

    The job key ("hazards.bulletin": its PeriodicRun row) and this task's path (tasks already queued name it)
    are stored names and keep their old wording."""
    from hazards.supervision import circular_issue

    with audit_context(source=Source.SYSTEM):
        circular = circular_issue()
    return circular.pk if circular else None


@register_periodic("hazards.tally_fold", dt.timedelta(hours=6))
@task()
def tally_fold() -> int:
    """Fold the deadline days that have passed into one row per territory and domain (``hazards.tally.fold``): the
    overdue count stays exact without it, this keeps the rows it sums few. Returns the day rows folded."""
    from hazards.tally import fold

    return fold()
