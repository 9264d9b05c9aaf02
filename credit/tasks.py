"""Periodic work: the collectors, every hour (idempotent; most runs add nothing)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("credit.collect", dt.timedelta(hours=1))
@task()
def collect() -> dict[str, int]:
    from credit.collectors import collect_all
    from credit.standing import sweep

    with audit_context(source=Source.SYSTEM):
        out = collect_all()
        # Then the classes that changed with time alone (an event or a listing began or ended since the last run).
        out["classes"] = sweep()
        return out
