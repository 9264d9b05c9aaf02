"""Background work of the framework: sealing the change log every minute and the hourly checkpoint of its
latest block (see core/chain.py, core/anchor.py), large spreadsheet imports and the clean-up of unconfirmed
uploads (see core/imports/)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from core.background import register_periodic


@register_periodic("core.chain_seal", dt.timedelta(minutes=1))
@task()
def chain_seal() -> int:
    """Seal the committed change-log events into blocks (core.chain). Takes only the sealer's own lock, for
    a moment per block; returns the number of events sealed. Writes no change event (it changes no business
    data, and an event per minute would only feed itself)."""
    from core.chain import seal

    return sum(block.count for block in seal())


@register_periodic("core.chain_checkpoint", dt.timedelta(hours=1))
@task()
def chain_checkpoint() -> int | None:
    """Seal, then anchor the latest block outside the database; nothing is written when it has not moved.

    Writes no change event: it changes nothing in the database, and an event per hour would only move the
    head it is anchoring."""
    from core.anchor import checkpoint_now

    cp = checkpoint_now()
    return cp.seq if cp else None


@task()
def run_import(job_id: int) -> dict[str, int]:
    """A large spreadsheet import (core.imports), run by the worker while its page polls for progress."""
    from core.imports.services import run_job

    outcome = run_job(job_id)
    return {"created": outcome.created, "updated": outcome.updated, "errors": len(outcome.errors)}


@register_periodic("core.prune_import_previews", dt.timedelta(hours=1))
@task()
def prune_import_previews() -> int:
    """Drop uploads whose mapping preview nobody confirmed within a day (the files hold personal data)."""
    from core.audit import Source, audit_context
    from core.imports.services import prune_previews

    with audit_context(source=Source.SYSTEM):
        return prune_previews()


@register_periodic("core.prune_held_files", dt.timedelta(hours=1))
@task()
def prune_held_files() -> int:
    """Drop photos kept for a refused form after a day (core.uploads.hold_files)."""
    from core.uploads import prune_held_files as prune

    return prune()


@register_periodic("core.log_partitions", dt.timedelta(days=1))
@task()
def log_partitions() -> list[str]:
    """PostgreSQL: keep empty change-log partitions ahead of the sequence (core.partitions); returns the names
    created. Writes no change event: it moves no business data (the DDL is logged by the database)."""
    from core.partitions import ensure_partitions

    return ensure_partitions()
