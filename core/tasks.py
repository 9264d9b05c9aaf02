"""Background tasks of the framework itself."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> dict[str, int]:
    """A large spreadsheet import (core.imports), run by the worker while its page polls for progress."""
    from core.imports import run_job

    outcome = run_job(job_id)
    return {"created": outcome.created, "updated": outcome.updated, "errors": len(outcome.errors)}
