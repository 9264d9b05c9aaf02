"""Background work of the framework: the hourly checkpoint of the change-log chain (see core/anchor.py)
and large spreadsheet imports (see core/imports.py)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.background import register_periodic


@register_periodic("core.chain_checkpoint", dt.timedelta(hours=1))
@task()
def chain_checkpoint() -> int | None:
    """Anchor the current chain head outside the database; nothing is written when the head has not moved.

    Writes no change event: it changes nothing in the database, and an event per hour would only move the
    head it is anchoring."""
    from core.anchor import checkpoint_now

    cp = checkpoint_now()
    return cp.seq if cp else None


@task()
def run_import(job_id: int) -> dict[str, int]:
    """A large spreadsheet import (core.imports), run by the worker while its page polls for progress."""
    from core.imports import run_job

    outcome = run_job(job_id)
    return {"created": outcome.created, "updated": outcome.updated, "errors": len(outcome.errors)}
