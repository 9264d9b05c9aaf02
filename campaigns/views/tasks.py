"""Task pages: the campaign's task list, a task with its progress reports, my tasks, the
review queue, and the office's task editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import services, workflow
from campaigns.choices import (
    CLOSED_TASK_STATES,
    AssignmentSource,
    ReportAction,
    ReportState,
    TaskStatus,
    UnitRole,
)
from campaigns.filters import TaskFilter
from campaigns.forms import EvidenceForm, ProgressReportForm, ReviewForm, TaskForm
from campaigns.milestones import with_next_due
from campaigns.models import Campaign, ProgressReport, Task, TaskUnit
from campaigns.models.scope import user_unit_ids
from campaigns.units import Resolution, resolve_into
from campaigns.views.common import office_campaign, visible_campaign
from core.forms import add_service_error
from core.listing import ScopedListView
from core.models import Attachment, ChangeEvent
from core.paging import page_of
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404


def _units_text(task: Task, role: str) -> str:
    return "、".join(link.unit.name for link in task.unit_links.all()
                    if link.role == role and link.source != AssignmentSource.EXPANDED)


class TaskListView(ScopedListView):
    model = Task
    template_name = "campaigns/task_list.html"
    sort_fields = {"deadline": "deadline", "plan": "plan__sort", "status": "status", "no": "sort"}
    export_filename = "整治任务.xlsx"
    download_args = {"pk": Campaign}
    export_columns = [
        (_("方案"), lambda t: t.plan.short_name),
        (_("编号"), lambda t: t.label),
        (_("分组"), lambda t: t.table_group),
        (_("任务"), lambda t: t.title),
        (_("整治措施"), lambda t: t.measures),
        (_("牵头单位"), lambda t: _units_text(t, UnitRole.LEAD)),
        (_("配合单位"), lambda t: _units_text(t, UnitRole.COOP)),
        (_("责任单位（原文）"), lambda t: t.responsibility_text),
        (_("计划完成时间（原文）"), lambda t: t.deadline_text),
        (_("完成期限"), lambda t: t.deadline),
        (_("阶段"), lambda t: t.phase.name if t.phase else ""),
        (_("状态"), lambda t: t.get_status_display()),
        (_("完成进度（%）"), lambda t: t.percent),
        (_("完成日期"), lambda t: t.completed_on),
    ]

    def filterset_class(self, data: Any, queryset: QuerySet, request: HttpRequest) -> TaskFilter:
        return TaskFilter(data, queryset=queryset, request=request, campaign=self.campaign)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.campaign = visible_campaign(request, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet:
        return Task.objects.visible_to(self.request.user).filter(campaign=self.campaign)

    def decorate(self, qs: QuerySet) -> QuerySet:
        qs = with_next_due(qs, timezone.localdate())  # a staged or recurring task shows its next due date
        return qs.select_related("plan", "phase").prefetch_related(
            Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit")))

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.update(campaign=self.campaign, today=timezone.localdate(),
                      is_office=services.is_office_for(self.request.user, self.campaign),
                      phases=self.campaign.phases.all())
        return kwargs


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("campaign__office_unit", "plan", "phase"), request.user,
                              pk=pk)


@business_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    today = timezone.localdate()
    units = workflow.reporting_units(request.user, task)
    reports = list(task.reports.select_related("unit", "submitted_by", "reviewed_by")
                   .prefetch_related("events__actor"))
    files: dict[str, list[Attachment]] = {}
    for a in Attachment.objects.filter(owner_type="campaigns.progressreport",
                                       owner_id__in=[str(r.pk) for r in reports]):
        files.setdefault(a.owner_id, []).append(a)
    period_start, period_label = workflow.period_for(task.campaign, today)
    mine = [r for r in reports if r.unit_id in units]
    current = next((r for r in mine if r.period_start == period_start), None)
    for r in reports:
        r.files = files.get(str(r.pk), [])
    can_report = bool(units) and task.status not in CLOSED_TASK_STATES and (
        current is None or current.state == ReportState.RETURNED)
    initial = {}
    if current is not None:
        initial = {"reported_status": current.reported_status, "percent": current.percent,
                   "narrative": current.narrative}
    return render(request, "campaigns/task_detail.html", {
        "task": task, "campaign": task.campaign, "today": today,
        "links": task.unit_links.select_related("unit", "via").order_by("role", "source", "unit__sort"),
        "reports": reports, "current": current, "period_label": period_label,
        "period_due": workflow.period_due(task.campaign, period_start),
        "can_report": can_report, "form": ProgressReportForm(initial=initial), "evidence_form": EvidenceForm(),
        "review_form": ReviewForm(), "is_office": services.is_office_for(request.user, task.campaign),
        "history": ChangeEvent.objects.for_object(task)[:50],
    })


@require_POST
@business_required
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    form = ProgressReportForm(request.POST)
    evidence = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and evidence.is_valid():
        try:
            workflow.report_submit(actor=request.user, task=task, files=evidence.cleaned_data["files"],
                                   **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("进展已报送，等待安委办审核。"))
    else:
        errors = [e for f in (form, evidence) for errs in f.errors.values() for e in errs]
        messages.error(request, "；".join(errors))
    return redirect("campaigns:task_detail", pk=task.pk)


@require_POST
@business_required
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(ProgressReport.objects.select_related("task"), request.user, pk=pk)
    action = request.POST.get("action")
    if action not in (ReportAction.RETURN, ReportAction.ACCEPT):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        workflow.report_review(actor=request.user, report=report, action=action,
                               comment=form.cleaned_data.get("comment", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已退回。") if action == ReportAction.RETURN else _("已采纳。"))
    nxt = request.POST.get("next")
    if nxt == "reviews":
        return redirect("campaigns:reviews")
    return redirect("campaigns:task_detail", pk=report.task_id)


@business_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """我的任务: tasks where the user's unit is lead, co-operating or implementing."""
    units = user_unit_ids(request.user)
    today = timezone.localdate()
    links = (TaskUnit.objects.filter(unit_id__in=units, task__in=Task.objects.visible_to(request.user).values("pk"))
             .select_related("task__plan", "task__campaign", "unit"))
    status = request.GET.get("status") or ""
    if status in TaskStatus.values:
        links = links.filter(task__status=status)
    role = request.GET.get("role") or ""
    if role in UnitRole.values:
        links = links.filter(role=role)
    if request.GET.get("overdue") == "true":
        links = links.filter(task__deadline__lt=today, task__deadline_kind="date").exclude(task__status="done")
    links = links.order_by("task__status", "task__deadline", "task__pk")
    page = page_of(links, 50, request.GET.get("page"))
    task_ids = [link.task_id for link in page.object_list]
    latest: dict[int, ProgressReport] = {}
    for r in ProgressReport.objects.filter(task_id__in=task_ids, unit_id__in=units).order_by("period_start", "pk"):
        latest[r.task_id] = r
    for link in page.object_list:
        link.latest = latest.get(link.task_id)
    return render(request, "campaigns/my_tasks.html", {"page": page, "links": page.object_list, "today": today,
                                                       "has_unit": bool(units)})


@roles_required("office")
def reviews(request: HttpRequest) -> HttpResponse:
    """待审核: submitted reports of the campaigns this office runs."""
    campaigns = [c for c in Campaign.objects.visible_to(request.user) if services.is_office_for(request.user, c)]
    qs = (ProgressReport.objects.visible_to(request.user)
          .filter(state=ReportState.SUBMITTED, task__campaign__in=campaigns)
          .select_related("task__plan", "unit", "submitted_by").order_by("submitted_at", "pk"))
    page = page_of(qs, 50, request.GET.get("page"))
    return render(request, "campaigns/reviews.html", {"page": page, "reports": page.object_list,
                                                      "review_form": ReviewForm()})


def _task_units(form: TaskForm) -> list[Any]:
    res = Resolution()
    for key, role in (("lead_units", UnitRole.LEAD), ("coop_units", UnitRole.COOP),
                      ("implementing_units", UnitRole.IMPLEMENTING)):
        for unit in form.cleaned_data.get(key) or []:
            resolve_into(res, unit.name, role)
    return res.assignments


@roles_required("office")
def task_edit(request: HttpRequest, pk: int, task_pk: int | None = None) -> HttpResponse:
    campaign = office_campaign(request, pk)
    task = campaign.tasks.filter(pk=task_pk).first() if task_pk else None
    if task_pk and task is None:
        raise PermissionDenied
    initial: dict[str, Any] = {"plan": request.GET.get("plan")}
    if task is not None:
        initial = {f: getattr(task, f) for f in ("plan", "number", "table_group", "title", "text", "measures",
                                                 "deadline_text", "phase")}
        for role, key in ((UnitRole.LEAD, "lead_units"), (UnitRole.COOP, "coop_units"),
                          (UnitRole.IMPLEMENTING, "implementing_units")):
            initial[key] = [link.unit_id for link in task.unit_links.filter(role=role, via__isnull=True)]
    form = TaskForm(request.POST or None, initial=initial, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = _task_units(form)
        for key in ("lead_units", "coop_units", "implementing_units"):
            data.pop(key, None)
        try:
            data.update(services.parse_or_error(data["deadline_text"], year=campaign.starts_on.year))
            if task is None:
                task = services.task_create(actor=request.user, units=units, unit_source=AssignmentSource.MANUAL,
                                            **data)
            else:
                task = services.task_update(actor=request.user, task=task, units=units,
                                            unit_source=AssignmentSource.MANUAL, **data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存任务。"))
            return redirect("campaigns:task_detail", pk=task.pk)
    return render(request, "campaigns/task_form.html", {"form": form, "campaign": campaign, "task": task})


