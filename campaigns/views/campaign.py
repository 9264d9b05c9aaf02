"""Campaign pages: list, create/edit, the overview, phases and plans."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from campaigns import goals as goal_services
from campaigns import lifecycle, selectors, services
from campaigns.charts import Bar, hbar_chart
from campaigns.choices import ReportState, TaskStatus, UnitRole, unit_role_order
from campaigns.forms import CampaignForm, PhaseForm, PlanForm, PlanUnitsForm
from campaigns.models import Campaign, Plan, ProgressReport
from campaigns.units import Resolution, resolve_into
from campaigns.views.common import office_campaign, querystring, visible_campaign, writable
from campaigns.views.lifecycle import table_years
from core.filters import parse_id
from core.forms import add_service_error
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404


@business_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    campaigns = list(Campaign.objects.visible_to(request.user).select_related("office_unit"))
    for c in campaigns:
        c.figures = selectors.totals(selectors.campaign_tasks(request.user, c), today)
    return render(request, "campaigns/campaign_list.html", {
        "campaigns": campaigns, "can_create": request.user.has_role(Role.OFFICE)})


@roles_required(Role.OFFICE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已创建专项整治行动，请继续添加阶段和方案。"))
            return redirect("campaigns:overview", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "creating": True})


@roles_required(Role.OFFICE)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("campaigns:overview", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _task_url(campaign: Campaign, **params: Any) -> str:
    return reverse("campaigns:tasks", args=[campaign.pk]) + querystring(**params)


@business_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """完成情况: by plan, by phase, by unit (ranked by on-time completion), overdue tasks.
    Every figure links to the task list filtered to the rows behind it, within the viewer's scope."""
    campaign = visible_campaign(request, pk)
    today = timezone.localdate()
    tasks = selectors.campaign_tasks(request.user, campaign)
    total = selectors.totals(tasks, today)
    plans = selectors.by_plan(tasks, today)
    phases = selectors.by_phase(tasks, today)
    units = selectors.by_unit(tasks, today)
    ranked = selectors.ranking(units)
    for r in plans:
        r.url = _task_url(campaign, plan=r.key)
        r.done_url = _task_url(campaign, plan=r.key, status=TaskStatus.DONE)
        r.overdue_url = _task_url(campaign, plan=r.key, overdue="true")
    for r in phases:
        r.url = _task_url(campaign, phase=r.key)
        r.done_url = _task_url(campaign, phase=r.key, status=TaskStatus.DONE)
        r.overdue_url = _task_url(campaign, phase=r.key, overdue="true")
    for r in units:
        r.url = _task_url(campaign, unit=r.key)
        r.done_url = _task_url(campaign, unit=r.key, part="done")
        r.overdue_url = _task_url(campaign, unit=r.key, part="overdue")
        r.on_time_url = _task_url(campaign, unit=r.key, part="on_time")
        r.due_url = _task_url(campaign, unit=r.key, part="due")
        r.lead_url = _task_url(campaign, unit=r.key, role=UnitRole.LEAD)
        r.coop_url = _task_url(campaign, unit=r.key, role=UnitRole.COOP)
    plan_chart = hbar_chart([Bar(r.label, r.percent, f"{r.done}/{r.total}（{r.percent}%）", r.done_url)
                             for r in plans], title=_("各方案任务完成率"))
    phase_chart = hbar_chart([Bar(r.label, r.percent, f"{r.done}/{r.total}（{r.percent}%）", r.done_url,
                                  tone="#198754") for r in phases], title=_("各阶段任务完成率"))
    rank_chart = hbar_chart([Bar(r.label, r.on_time_rate or 0, f"{r.on_time}/{r.due}（{r.on_time_rate}%）",
                                 r.on_time_url, tone="#6f42c1") for r in ranked[:15]],
                            title=_("责任单位按期完成率排名"))
    is_office = services.is_office_for(request.user, campaign)
    pending = (ProgressReport.objects.visible_to(request.user)
               .filter(task__campaign=campaign, state=ReportState.SUBMITTED).count() if is_office else 0)
    return render(request, "campaigns/overview.html", {
        "stage_moves": lifecycle.allowed_moves(request.user, campaign) if is_office else [],
        "campaign": campaign, "total": total, "plans": plans, "phases": phases, "ranked": ranked,
        "units": sorted(units, key=lambda r: (-r.total, r.label)),
        "overdue": selectors.overdue_tasks(tasks, today)[:50], "today": today, "is_office": is_office,
        "plan_chart": plan_chart, "phase_chart": phase_chart, "rank_chart": rank_chart, "pending": pending,
        "all_url": _task_url(campaign), "done_url": _task_url(campaign, status=TaskStatus.DONE),
        "overdue_url": _task_url(campaign, overdue="true"),
        "progress_url": _task_url(campaign, status=TaskStatus.IN_PROGRESS),
    })


@business_required
def phases(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    is_office = writable(request.user, campaign)
    edit_id = parse_id(request.GET.get("edit") or request.POST.get("phase_id"))
    phase = campaign.phases.filter(pk=edit_id).first() if edit_id is not None else None
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST":
        if not is_office:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.phase_save(actor=request.user, campaign=campaign, phase=phase, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存阶段。"))
                return redirect("campaigns:phases", pk=campaign.pk)
    rows = campaign.phases.annotate(n=Count("tasks"))
    return render(request, "campaigns/phases.html", {"campaign": campaign, "phases": rows, "form": form,
                                                     "phase": phase, "is_office": is_office})


@business_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.select_related("campaign", "domain"), request.user, pk=pk)
    campaign = plan.campaign
    today = timezone.localdate()
    goals = list(goal_services.with_latest(plan.goals.all()))
    for g in goals:
        g.state = g.status(g.latest_value, today)
    tasks = selectors.campaign_tasks(request.user, campaign).filter(plan=plan)
    counts = tasks.aggregate(plan_tasks=Count("pk", filter=Q(source="plan")),
                             table_rows=Count("pk", filter=Q(source="table")))
    return render(request, "campaigns/plan_detail.html", {
        "plan": plan, "campaign": campaign, "goals": goals, "counts": counts,
        "links": plan.unit_links.select_related("unit").order_by(unit_role_order(), "pk"), "is_office": writable(request.user, campaign),
        "table_years": table_years(plan),
        "tasks_url": _task_url(campaign, plan=plan.pk), "table_url": _task_url(campaign, plan=plan.pk, source="table"),
        "history": ChangeEvent.objects.for_object(plan)[:50],
    })


def _plan_units(form: PlanUnitsForm) -> list[Any]:
    res = Resolution()
    for key, role in (("lead_units", UnitRole.LEAD), ("coop_units", UnitRole.COOP),
                      ("implementing_units", UnitRole.IMPLEMENTING)):
        for unit in form.cleaned_data.get(key) or []:
            resolve_into(res, unit.name, role)
    return res.assignments


@roles_required(Role.OFFICE)
def plan_edit(request: HttpRequest, pk: int, plan_pk: int | None = None) -> HttpResponse:
    campaign = office_campaign(request, pk)
    plan = campaign.plans.filter(pk=plan_pk).first() if plan_pk else None
    if plan_pk and plan is None:
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan, campaign=campaign)
    initial = {}
    if plan is not None:
        for role, key in ((UnitRole.LEAD, "lead_units"), (UnitRole.COOP, "coop_units"),
                          (UnitRole.IMPLEMENTING, "implementing_units")):
            initial[key] = [link.unit_id for link in plan.unit_links.filter(role=role)]
    units_form = PlanUnitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and units_form.is_valid():
        try:
            plan = services.plan_save(actor=request.user, campaign=campaign, plan=plan,
                                      units=_plan_units(units_form), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存方案。"))
            return redirect("campaigns:plan", pk=plan.pk)
    return render(request, "campaigns/plan_form.html", {"form": form, "units_form": units_form,
                                                        "campaign": campaign, "plan": plan})


