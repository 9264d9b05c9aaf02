"""The pages every import shares: the upload flow (:func:`upload_page`) and the job page (``core:import_job``):
the mapping preview of an upload, the progress of a background import, and the report of either."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.audit import Source, audit_context
from core.forms import add_service_error
from core.imports import IMPORTERS, Importer, Outcome, Plan, services
from core.models import ImportJob, ImportStatus
from core.net import client_ip
from core.spreadsheet import count_rows

NOTES_SHOWN = 20
_COLUMN_CHOICE = re.compile(r"col-(\d{1,4})-(\d{1,4})")


def upload_page(request: HttpRequest, *, kind: str, form: Any, template: str,
                params: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                context: dict[str, Any] | None = None) -> HttpResponse:
    """An import's upload page: ``form`` has a ``file`` field (and whatever ``params`` reads from its cleaned
    data). The template gets ``form``, ``result`` (the Outcome of a failed import, shown with
    ``core/_import_report.html``) and ``errors`` (its report as sentences)."""
    importer = IMPORTERS[kind]
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            answer = start(request, importer=importer, upload=form.cleaned_data["file"],
                           params=params(form.cleaned_data) if params else {})
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except PermissionDenied as exc:
            add_service_error(form, exc)
        else:
            if isinstance(answer, HttpResponse):
                return answer
            outcome = answer
    return render(request, template, {**(context or {}), "form": form, "result": outcome,
                                      "errors": outcome.lines() if outcome else []})


def start(request: HttpRequest, *, importer: Importer, upload: Any, params: dict[str, Any]) -> HttpResponse | Outcome:
    """Check the upload against the limits (ValidationError), then: show the mapping preview when a column
    would not be kept (or several sheets hold tables); queue a large file for the worker; or import at once."""
    actor = request.user
    rows = count_rows(upload)
    importer.authorize(actor, params)
    plan = importer.plan(upload, actor=actor, params=params)
    upload.seek(0)
    if plan.table_found and (plan.needs_review or _review_required(importer, plan, actor, params)):
        return redirect(services.job_create(actor=actor, kind=importer.key, upload=upload, params=params, rows=rows,
                                            preview=True))
    if services.large(rows):
        job = services.job_create(actor=actor, kind=importer.key, upload=upload, params=params, rows=rows)
        services.job_queue(job)
        return redirect(job)
    with audit_context(source=Source.IMPORT, actor=actor, ip=client_ip(request), request=request):
        outcome = importer.run(actor=actor, params=params, plan=plan)
    if outcome.ok:
        return _finished(request, importer, outcome, params)
    return outcome


def _finished(request: HttpRequest, importer: Importer, outcome: Outcome, params: dict[str, Any]) -> HttpResponse:
    messages.success(request, importer.done_message(outcome, params))
    for note in outcome.notes[:NOTES_SHOWN]:
        messages.info(request, note)
    return redirect(importer.done_url(params))


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload's preview, then its progress and report; only its uploader sees it. While a job runs the page
    polls its own #progress partial."""
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    importer = IMPORTERS[job.kind]
    if job.status == ImportStatus.PREVIEW:
        return _preview(request, job, importer)
    template = "core/import_job.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    return render(request, template, {
        "job": job, "title": importer.title(job.params), "upload_url": importer.upload_url(job.params),
        "done_url": importer.done_url(job.params),
        "done_message": importer.done_message(job, job.params) if job.status == ImportStatus.DONE else ""})


def _posted_mapping(post: Any) -> dict[str, Any]:
    columns: dict[str, dict[str, str]] = {}
    for name, value in post.items():
        match = _COLUMN_CHOICE.fullmatch(name)
        if match:
            columns.setdefault(str(int(match[1])), {})[str(int(match[2]))] = value
    sheets = [int(v) for v in post.getlist("sheet") if re.fullmatch(r"\d{1,4}", v)]
    return {"sheets": sheets, "columns": columns}


def _preview(request: HttpRequest, job: ImportJob, importer: Importer) -> HttpResponse:
    """Which column feeds which field, what is not kept, the first rows as they will read: the uploader
    adjusts a column's field (the page refreshes its #preview partial), then confirms or cancels."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "cancel":
        services.job_cancel(actor=request.user, job=job)
        messages.info(request, _("已取消导入，上传的文件已删除。"))
        return redirect(importer.upload_url(job.params))
    mapping = _posted_mapping(request.POST) if request.method == "POST" else (job.mapping or None)
    try:
        with job.file.open("rb") as fh:
            plan = importer.plan(fh, actor=request.user, params=job.params, mapping=mapping)
    except (ValidationError, OSError):
        services.job_cancel(actor=request.user, job=job, reason=_("文件已无法读取，请重新上传。"))
        messages.error(request, _("文件已无法读取，请重新上传。"))
        return redirect(importer.upload_url(job.params))
    problems = _problems(plan)
    context_key = importer.mapping_context(request.user, job.params)
    if action == "confirm" and not problems:
        try:
            job = services.job_confirm(actor=request.user, job=job, mapping=plan.mapping(), context=context_key,
                                       remember=plan.header_choices() if request.POST.get("remember") else None)
        except ValidationError:  # confirmed twice (a double click): the first one is under way
            return redirect(job)
        if services.large(job.total):
            services.job_queue(job)
            return redirect(job)
        outcome = services.run_job(job.pk, ip=client_ip(request))
        if outcome.ok:
            return _finished(request, importer, outcome, job.params)
        return redirect(job)
    template = "core/import_job.html#preview" if getattr(request, "htmx", False) else "core/import_job.html"
    return render(request, template, {
        "job": job, "title": importer.title(job.params), "upload_url": importer.upload_url(job.params),
        "plan": plan, "sheets": [_sheet_view(plan, s) for s in plan.sheets], "problems": problems,
        "can_remember": context_key is not None, "tables": sum(1 for s in plan.sheets if s.table),
        "review": None if problems else _review(importer, plan, request.user, job.params)})


def _review(importer: Importer, plan: Plan, actor: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """The importer's account of the changes to stored records, when the mapping can be read."""
    if not plan.table_found or plan.missing() or plan.conflicts():
        return None
    return importer.review(plan, actor=actor, params=params)


def _review_required(importer: Importer, plan: Plan, actor: Any, params: dict[str, Any]) -> bool:
    review = _review(importer, plan, actor, params)
    return bool(review and review.get("required"))


def _problems(plan: Plan) -> list[str]:
    out = []
    if not plan.selected:
        out.append(_("请至少选择一个工作表。"))
    missing = plan.missing()
    if missing:
        out.append(_("缺少必需的列：%(c)s。请为它们各选一列。") % {"c": "、".join(c.header for c in missing)})
    return out + plan.conflicts()


def _sheet_view(plan: Plan, sheet: Any) -> dict[str, Any]:
    view: dict[str, Any] = {"sheet": sheet}
    if sheet.selected:
        shown, rows = plan.preview(sheet)
        view.update(columns=sheet.listed_columns(), shown=shown, rows=rows, not_kept=[
            c for c in sheet.listed_columns() if not c.kept])
    return view
