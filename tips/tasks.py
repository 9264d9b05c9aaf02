"""Periodic work: remove old rate-limit windows of the public tip page."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("tips.prune_rate_counts", dt.timedelta(hours=1))
@task()
def prune_rate_counts() -> int:
    from tips.limits import prune

    with audit_context(source=Source.SYSTEM):
        return prune()
