"""Periodic work: the nightly generation of due checks (today and tomorrow, so a night shift finds its checks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("checks.generate_due", dt.timedelta(hours=12))
@task()
def generate_due_checks() -> int:
    """Idempotent: every active plan's periods from today to tomorrow get their due checks once."""
    from checks.services import generate_due

    with audit_context(source=Source.SYSTEM):
        return generate_due(days=2)
