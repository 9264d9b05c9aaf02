"""Every write of the import machinery itself: uploads kept for a preview or the background worker
(:class:`~core.models.ImportJob`), their confirmation, run and end, and the column choices saved per context
(:class:`~core.models.ImportMapping`). Each is recorded in the change log in its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.imports.report import Outcome
from core.models import ImportJob, ImportMapping, ImportStatus

PREVIEW_KEPT = dt.timedelta(days=1)  # an unconfirmed upload (personal data) is dropped after this


def importer_for(kind: str) -> Any:
    from core.imports import IMPORTERS

    return IMPORTERS[kind]


# -- saved column choices ---------------------------------------------------------------------------------
def mapping_saved(*, kind: str, context: str) -> dict[str, str]:
    """The column choices saved for ``context``: {header key: importer column, or "" for not kept}."""
    row = ImportMapping.objects.filter(kind=kind, context=context).only("choices").first()
    return dict(row.choices) if row is not None else {}


@transaction.atomic
def mapping_remember(*, actor: Any, kind: str, context: str, choices: dict[str, str]) -> ImportMapping:
    """Add ``choices`` to the context's saved mapping (a later choice for the same header replaces the earlier)."""
    row, created = ImportMapping.objects.select_for_update().get_or_create(
        kind=kind, context=context, defaults={"updated_by": actor})
    before = dict(row.choices)
    row.choices = {**before, **choices}
    row.updated_by = actor
    row.save()
    changes = audit.diff({"choices": before} if not created else {}, {"choices": row.choices})
    if changes:
        audit.record(action="core.create" if created else "core.update", obj=row, changes=changes)
    return row


# -- jobs -------------------------------------------------------------------------------------------------
@transaction.atomic
def job_create(*, actor: Any, kind: str, upload: Any, params: dict[str, Any], rows: int = 0,
               preview: bool = False) -> ImportJob:
    """Keep an upload: for its mapping preview (``preview``), or queued for the worker."""
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(kind=kind, params=params, created_by=actor, original_name=(upload.name or "")[-255:],
                    status=ImportStatus.PREVIEW if preview else ImportStatus.PENDING, total=rows)
    job.file.save("import.xlsx", upload, save=True)
    audit.record(action="core.import_upload" if preview else "core.import_queue", obj=job,
                 changes={"kind": [None, kind], "params": [None, params]},
                 note=f"{job.original_name} {job.file.size}B sha256={digest.hexdigest()[:16]}")
    return job


def job_queue(job: ImportJob) -> None:
    from core.tasks import run_import

    run_import.enqueue(job.pk)


@transaction.atomic
def job_confirm(*, actor: Any, job: ImportJob, mapping: dict[str, Any], remember: dict[str, str] | None,
                context: str | None) -> ImportJob:
    """The uploader confirms the preview's sheets and columns; with ``remember``, those choices are saved for
    ``context`` so that the next file maps the same way."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if job.status != ImportStatus.PREVIEW:
        raise ValidationError(_("该导入已确认或已取消。"))
    job.mapping = mapping
    job.status = ImportStatus.PENDING
    job.save(update_fields=["mapping", "status"])
    audit.record(action="core.import_confirm", obj=job, changes={"status": [ImportStatus.PREVIEW, job.status],
                                                              "mapping": [None, mapping]})
    if remember and context is not None:
        mapping_remember(actor=actor, kind=job.kind, context=context, choices=remember)
    return job


@transaction.atomic
def job_cancel(*, actor: Any, job: ImportJob, reason: str = "") -> ImportJob:
    """Drop an upload waiting for its preview to be confirmed (and the file with it)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if actor is not None and job.created_by_id != actor.pk:
        raise PermissionDenied
    if job.status != ImportStatus.PREVIEW:
        return job
    job.status = ImportStatus.CANCELLED
    job.message = (reason or _("已取消导入。"))[:500]
    job.finished_at = timezone.now()
    _drop_file(job)
    job.save()
    audit.record(action="core.import_cancel", obj=job, changes={"status": [ImportStatus.PREVIEW, job.status]},
                 note=job.message)
    return job


def prune_previews(now: dt.datetime | None = None) -> int:
    """Cancel previews nobody confirmed within :data:`PREVIEW_KEPT` (the periodic job)."""
    stale = ImportJob.objects.filter(status=ImportStatus.PREVIEW,
                                     created_at__lt=(now or timezone.now()) - PREVIEW_KEPT)
    n = 0
    for job in stale:
        job_cancel(actor=None, job=job, reason=_("超过一天未确认，上传的文件已删除。"))
        n += 1
    return n


def run_job(job_id: int, *, ip: str | None = None) -> Outcome:
    """Run a queued job (in the worker, or in the request after a small file's preview): the importer's own
    checks and writes, then the job's result."""
    from django.contrib.auth import get_user_model

    from core.audit import Source, audit_context

    job = ImportJob.objects.get(pk=job_id)
    importer = importer_for(job.kind)
    actor = get_user_model().objects.select_related("unit", "enterprise").get(pk=job.created_by_id)

    def progress(phase: str, done: int, total: int) -> None:
        # Written outside the import's own transaction, so the polling page sees it.
        status = ImportStatus.WRITING if phase == "write" else ImportStatus.VALIDATING
        ImportJob.objects.filter(pk=job_id).update(status=status, processed=min(done, total), total=total)

    with audit_context(source=Source.IMPORT, actor=actor, ip=ip):
        progress("validate", 0, 0)
        try:
            with job.file.open("rb") as fh:
                outcome = importer.run(actor=actor, file=fh, params=job.params, progress=progress,
                                       mapping=job.mapping or None)
        except ValidationError as exc:  # the file as a whole was refused; nothing was written
            outcome = Outcome.refused(exc.messages)
        except PermissionDenied as exc:
            outcome = Outcome.refused([str(exc) or _("您没有执行此操作的权限。")])
        except Exception as exc:  # reported on the page, then re-raised for the worker's log
            job_finish(job=job, outcome=Outcome.refused([_("导入失败：%(e)s") % {"e": exc}]))
            raise
        job_finish(job=job, outcome=outcome)
    return outcome


@transaction.atomic
def job_finish(*, job: ImportJob, outcome: Outcome) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    before = job.status
    job.status = ImportStatus.DONE if outcome.ok else ImportStatus.FAILED
    job.total = outcome.total or job.total
    job.processed = job.total
    job.created, job.updated, job.unchanged = outcome.created, outcome.updated, outcome.unchanged
    job.errors = [e.as_dict() for e in outcome.errors[:5000]]
    job.missing_headers = outcome.missing_headers
    job.notes = outcome.notes[:1000]
    job.message = outcome.message[:500]
    job.timings = {k: round(v, 2) for k, v in outcome.timings.items()}
    job.finished_at = timezone.now()
    _drop_file(job)
    job.save()
    audit.record(action="core.import_finish", obj=job, changes={"status": [before, job.status]},
                 note=f"created={job.created} updated={job.updated} errors={len(outcome.errors)}")
    return job


def _drop_file(job: ImportJob) -> None:
    # The uploaded list holds personal data: it is not kept once imported, refused or cancelled.
    name = job.file.name
    job.file = ""
    if name:
        storage = ImportJob._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def large(rows: int) -> bool:
    return rows > settings.ANZHI_IMPORT_BACKGROUND_ROWS
