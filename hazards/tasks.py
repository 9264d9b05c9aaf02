"""Periodic work: the 一单N制 通报 of overdue listed hazards (every half month by default)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.audit import Source, audit_context
from core.background import register_periodic


@register_periodic("hazards.bulletin", dt.timedelta(days=1))
@task()
def hazard_bulletin() -> int | None:
    """Checked daily; a bulletin is produced only when the period (template.bulletin_days) has passed."""
    from hazards.supervision import bulletin_generate

    with audit_context(source=Source.SYSTEM):
        bulletin = bulletin_generate()
    return bulletin.pk if bulletin else None
