from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from accounts.choices import Role
from core.dashboard import cards_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {}
    if user.has_business_role:
        from enterprises.models import Enterprise
        from enterprises.selectors import enterprise_counts

        context["enterprise_counts"] = enterprise_counts(Enterprise.objects.visible_to(user))
    context["cards"] = cards_for(user)
    context["is_sysadmin"] = user.has_role(Role.SYSADMIN)
    context["is_secadmin"] = user.has_role(Role.SECADMIN)
    context["is_auditadmin"] = user.has_role(Role.AUDITADMIN)
    return render(request, "core/home.html", context)


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress, then the row-by-row report, of a background import; only its uploader sees it. The page
    polls its own #progress partial while the job runs."""
    from core.imports import IMPORTERS, default_done_message
    from core.models import ImportJob

    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    importer = IMPORTERS[job.kind]
    template = "core/import_job.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    return render(request, template, {
        "job": job, "title": importer.title(job.params), "upload_url": importer.upload_url(job.params),
        "done_url": importer.done_url(job.params),
        "done_message": (importer.done_message or default_done_message)(job) if job.status == "done" else ""})
