"""Background enterprise import: large files are checked and written by the worker while the page polls."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def run_enterprise_import(job_id: int) -> dict[str, int]:
    from accounts.models import User
    from core.audit import Source, audit_context
    from enterprises.importer import import_enterprises
    from enterprises.models import EnterpriseImport, ImportStatus

    job = EnterpriseImport.objects.get(pk=job_id)
    actor = User.objects.select_related("unit", "enterprise").get(pk=job.created_by_id)

    def progress(phase: str, done: int, total: int) -> None:
        # Written outside the import's own transaction, so the polling page sees it.
        status = ImportStatus.WRITING if phase == "write" else ImportStatus.VALIDATING
        EnterpriseImport.objects.filter(pk=job_id).update(status=status, processed=done, total=total)

    try:
        with audit_context(source=Source.IMPORT, actor=actor), job.file.open("rb") as fh:
            result = import_enterprises(actor=actor, file=fh, progress=progress)
    except Exception as exc:  # reported on the page; nothing was written (all or nothing)
        EnterpriseImport.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, message=str(exc)[:500],
                                                          finished_at=timezone.now())
        raise
    EnterpriseImport.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE if result.ok else ImportStatus.FAILED, total=result.total,
        processed=result.total, created=result.created, updated=result.updated, unchanged=result.unchanged,
        errors=[{"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:5000]],
        missing_headers=result.missing_headers, timings={k: round(v, 2) for k, v in result.timings.items()},
        finished_at=timezone.now())
    return {"created": result.created, "updated": result.updated, "errors": len(result.errors)}


@task()
def fill_search_text(ids: list[int]) -> int:
    from enterprises.services import refresh_search_text

    return refresh_search_text(ids=ids)
