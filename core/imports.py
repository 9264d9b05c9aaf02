"""Spreadsheet imports: their limits, and large files run by the background worker with a progress page.

Every importer (enterprise list, ledgers, user-defined ledgers, task tables, the holiday calendar) is
one :class:`Importer` spec registered here, keyed by ``kind``: how to run it on a file (all or nothing,
reporting row by row) and where its pages are. An import page calls :func:`queue_if_large` with the
uploaded file:

* the file is checked against the limits first (``core.spreadsheet.count_rows``: size, unpacked size,
  row ceiling) and a refusal is a ValidationError for the form;
* above ``ANZHI_IMPORT_BACKGROUND_ROWS`` rows the file is stored as an :class:`~core.models.ImportJob`,
  queued for the worker, and the page redirects to the job's progress page (``core:import_job``);
* otherwise it returns None and the page runs the import in the request, as small files always have.

The worker runs the same importer in an audit context of source "import", on behalf of the uploader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import ImportJob, ImportStatus
from core.spreadsheet import count_rows

Progress = Callable[[str, int, int], None]  # (phase "validate" | "write", rows done, rows in all)


@dataclass
class Outcome:
    """What an import did, in the shape the job page shows (whatever the importer's own result)."""

    ok: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row": 3 | None, "column": "", "message": ""}
    missing_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""  # a refusal of the whole file
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: Any) -> Outcome:
        """From an ImportResult-shaped object (created, updated, errors of RowError …)."""
        return cls(ok=bool(result.ok), total=getattr(result, "total", 0), created=result.created,
                   updated=result.updated, unchanged=getattr(result, "unchanged", 0),
                   errors=[{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors],
                   missing_headers=list(getattr(result, "missing_headers", [])),
                   notes=[str(n) for n in getattr(result, "notes", [])],
                   timings=dict(getattr(result, "timings", {})))

    @classmethod
    def refused(cls, messages: Iterable[str]) -> Outcome:
        return cls(ok=False, message="；".join(str(m) for m in messages)[:500])


@dataclass(frozen=True)
class Importer:
    key: str
    title: Callable[[dict[str, Any]], str]  # the page heading: "导入企业名录"
    run: Callable[..., Outcome]  # run(*, actor, file, params, progress) -> Outcome
    upload_url: Callable[[dict[str, Any]], str]  # where to upload again
    done_url: Callable[[dict[str, Any]], str]  # what to look at afterwards
    done_message: Callable[[ImportJob], str] | None = None


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> Importer:
    IMPORTERS[importer.key] = importer
    return importer


def default_done_message(job: ImportJob) -> str:
    return _("导入完成：共 %(t)d 行，新增 %(c)d 条，更新 %(u)d 条。") % {"t": job.total, "c": job.created,
                                                                 "u": job.updated}


def queue_if_large(*, actor: Any, kind: str, upload: Any, params: dict[str, Any] | None = None) -> ImportJob | None:
    """Check ``upload`` against the limits (ValidationError); queue it when it is large, else None."""
    if kind not in IMPORTERS:
        raise KeyError(kind)
    rows = count_rows(upload)
    upload.seek(0)
    if rows <= settings.ANZHI_IMPORT_BACKGROUND_ROWS:
        return None
    job = job_create(actor=actor, kind=kind, upload=upload, params=params or {})
    from core.tasks import run_import

    run_import.enqueue(job.pk)
    return job


@transaction.atomic
def job_create(*, actor: Any, kind: str, upload: Any, params: dict[str, Any]) -> ImportJob:
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(kind=kind, params=params, created_by=actor, original_name=(upload.name or "")[-255:])
    job.file.save("import.xlsx", upload, save=True)
    audit.record(action="import_queued", obj=job, changes={"kind": [None, kind], "params": [None, params]},
                 note=f"{job.original_name} {job.file.size}B sha256={digest.hexdigest()[:16]}")
    return job


def run_job(job_id: int) -> Outcome:
    """Run a queued job (in the worker): the importer's own checks and writes, then the job's result."""
    from accounts.models import User
    from core.audit import Source, audit_context

    job = ImportJob.objects.get(pk=job_id)
    importer = IMPORTERS[job.kind]
    actor = User.objects.select_related("unit", "enterprise").get(pk=job.created_by_id)

    def progress(phase: str, done: int, total: int) -> None:
        # Written outside the import's own transaction, so the polling page sees it.
        status = ImportStatus.WRITING if phase == "write" else ImportStatus.VALIDATING
        ImportJob.objects.filter(pk=job_id).update(status=status, processed=min(done, total), total=total)

    with audit_context(source=Source.IMPORT, actor=actor):
        progress("validate", 0, 0)
        try:
            with job.file.open("rb") as fh:
                outcome = importer.run(actor=actor, file=fh, params=job.params, progress=progress)
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
    job.errors = outcome.errors[:5000]
    job.missing_headers = outcome.missing_headers
    job.notes = outcome.notes[:1000]
    job.message = outcome.message[:500]
    job.timings = {k: round(v, 2) for k, v in outcome.timings.items()}
    job.finished_at = timezone.now()
    name = job.file.name
    job.file = ""
    job.save()
    audit.record(action="import_finished", obj=job, changes={"status": [before, job.status]},
                 note=f"created={job.created} updated={job.updated} errors={len(outcome.errors)}")
    if name:
        # The uploaded list holds personal data: it is not kept once imported (or refused).
        storage = ImportJob._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))
    return job
