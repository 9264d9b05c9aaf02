"""Task pages: the campaign's task list, a task with its progress reports, my tasks, the
review queue, and the office's task editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import services, workflow
from campaigns.choices import (
    CLOSED_TASK_STATES,
    AssignmentSource,
    CampaignStage,
    DeadlineKind,
    PartStatus,
    ReportAction,
    ReportState,
    TaskStatus,
    UnitRole,
    unit_role_order,
)
from campaigns.filters import TaskFilter
from campaigns.forms import EvidenceForm, ProgressReportForm, ReviewForm, TaskForm
from campaigns.milestones import with_next_due
from campaigns.models import Campaign, ProgressReport, Task, TaskUnit
from campaigns.models.scope import user_unit_ids
from campaigns.units import Resolution, resolve_into
from campaigns.views.common import office_campaign, visible_campaign, writable
from core.filters import parse_id
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
        (_("实施单位"), lambda t: _units_text(t, UnitRole.IMPLEMENTING)),
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
                      is_office=writable(self.request.user, self.campaign),
                      phases=self.campaign.phases.all(), roles=UnitRole.choices)
        return kwargs


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("campaign__office_unit", "plan", "phase"), request.user,
                              pk=pk)


@business_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task, its units' parts (牵头 / 配合 / 实施 apart, each with its own status), the reports with their
    evidence, and the form for each of the viewer's units whose part is still open."""
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
    for r in reports:
        r.files = files.get(str(r.pk), [])
    links = list(task.unit_links.select_related("unit", "via").order_by(unit_role_order(), "source", "unit__sort", "pk"))
    deciding = {p.pk for p in workflow.deciding_parts(links)}
    latest: dict[int, ProgressReport] = {}
    for r in sorted(reports, key=lambda r: (r.period_start, r.pk)):
        latest[r.unit_id] = r
    for link in links:
        link.deciding = link.pk in deciding
        link.latest = latest.get(link.unit_id)
    groups = [(label, [link for link in links if link.role == role]) for role, label in UnitRole.choices]
    # The viewer's parts that may report this period: open, and not already reported (unless returned).
    open_parts = []
    for link in links:
        if link.unit_id not in units or link.status == PartStatus.DONE:
            continue
        current = next((r for r in reports if r.unit_id == link.unit_id and r.period_start == period_start), None)
        if current is None or current.state == ReportState.RETURNED:
            link.current = current
            open_parts.append(link)
    can_report = (bool(open_parts) and task.status != TaskStatus.WITHDRAWN and not task.campaign.is_archived)
    current = open_parts[0].current if open_parts else None
    initial = {}
    if current is not None:
        initial = {"reported_status": current.reported_status, "percent": current.percent,
                   "narrative": current.narrative}
    return render(request, "campaigns/task_detail.html", {
        "task": task, "campaign": task.campaign, "today": today, "links": links, "groups": groups,
        "reports": reports, "current": current, "period_label": period_label, "open_parts": open_parts,
        "period_due": workflow.period_due(task.campaign, period_start),
        "can_report": can_report, "form": ProgressReportForm(initial=initial), "evidence_form": EvidenceForm(),
        "review_form": ReviewForm(), "is_office": writable(request.user, task.campaign),
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
                                   unit_id=parse_id(request.POST.get("unit_id")), **form.cleaned_data)
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


DUE_SOON_DAYS = 14


@business_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """我的任务: the parts the user's units have (lead, co-operating, implementing), by campaign (archived
    campaigns only when asked for), searchable by title, number and pinyin initials, most urgent first:
    overdue, then due soon, then the rest by deadline; parts already done last."""
    units = user_unit_ids(request.user)
    today = timezone.localdate()
    links = (TaskUnit.objects.filter(unit_id__in=units, task__in=Task.objects.visible_to(request.user).values("pk"))
             .select_related("task__plan", "task__campaign", "unit"))
    campaigns = list(Campaign.objects.filter(pk__in=links.values("task__campaign_id")).order_by("-starts_on", "pk"))
    campaign_id = parse_id(request.GET.get("campaign"))
    if campaign_id is not None and campaign_id in {c.pk for c in campaigns}:
        links = links.filter(task__campaign_id=campaign_id)
    elif request.GET.get("archived") != "true":
        links = links.exclude(task__campaign__stage=CampaignStage.ARCHIVED)
    status = request.GET.get("status") or ""
    if status in PartStatus.values:
        links = links.filter(status=status)
    role = request.GET.get("role") or ""
    if role in UnitRole.values:
        links = links.filter(role=role)
    overdue = (Q(task__deadline__lt=today) & Q(task__deadline_kind=DeadlineKind.DATE)
               & ~Q(status=PartStatus.DONE) & ~Q(task__status__in=CLOSED_TASK_STATES))
    if request.GET.get("overdue") == "true":
        links = links.filter(overdue)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        links = links.filter(Q(task__title__icontains=q) | Q(task__search_text__contains=q.lower())
                             | Q(task__number=q) | Q(task__campaign__name__icontains=q))
    soon = (Q(task__deadline__gte=today) & Q(task__deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
            & Q(task__deadline_kind=DeadlineKind.DATE) & ~Q(status=PartStatus.DONE)
            & ~Q(task__status__in=CLOSED_TASK_STATES))
    finished = Q(status=PartStatus.DONE) | Q(task__status__in=CLOSED_TASK_STATES)
    links = links.annotate(urgency=Case(When(overdue, then=Value(0)), When(soon, then=Value(1)),
                                        When(finished, then=Value(3)), default=Value(2))).order_by(
        "urgency", F("task__deadline").asc(nulls_last=True), "task__pk", "pk")
    page = page_of(links, 50, request.GET.get("page"))
    task_ids = [link.task_id for link in page.object_list]
    latest: dict[tuple[int, int], ProgressReport] = {}
    for r in ProgressReport.objects.filter(task_id__in=task_ids, unit_id__in=units).order_by("period_start", "pk"):
        latest[(r.task_id, r.unit_id)] = r
    for link in page.object_list:
        link.latest = latest.get((link.task_id, link.unit_id))
    return render(request, "campaigns/my_tasks.html", {
        "page": page, "links": page.object_list, "today": today, "has_unit": bool(units), "campaigns": campaigns,
        "campaign_id": campaign_id, "q": q, "part_statuses": PartStatus.choices, "roles": UnitRole.choices,
        "units_many": len(units) > 1})


@roles_required("office")
def reviews(request: HttpRequest) -> HttpResponse:
    """待审核: submitted reports of the campaigns this office runs (archived ones are history), each with its
    evidence (the unit's narrative and attachments); ``?campaign=`` narrows to one campaign."""
    campaigns = [c for c in Campaign.objects.visible_to(request.user).exclude(stage=CampaignStage.ARCHIVED)
                 if services.is_office_for(request.user, c)]
    chosen = parse_id(request.GET.get("campaign"))
    if chosen is not None and chosen in {c.pk for c in campaigns}:
        shown = [c for c in campaigns if c.pk == chosen]
    else:
        chosen, shown = None, campaigns
    qs = (ProgressReport.objects.visible_to(request.user)
          .filter(state=ReportState.SUBMITTED, task__campaign__in=shown)
          .select_related("task__plan", "task__campaign", "unit", "submitted_by").order_by("submitted_at", "pk"))
    page = page_of(qs, 50, request.GET.get("page"))
    files: dict[str, list[Attachment]] = {}
    for a in Attachment.objects.filter(owner_type="campaigns.progressreport",
                                       owner_id__in=[str(r.pk) for r in page.object_list]):
        files.setdefault(a.owner_id, []).append(a)
    for r in page.object_list:
        r.files = files.get(str(r.pk), [])
    return render(request, "campaigns/reviews.html", {"page": page, "reports": page.object_list,
                                                      "review_form": ReviewForm(), "campaigns": campaigns,
                                                      "chosen": chosen})


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


