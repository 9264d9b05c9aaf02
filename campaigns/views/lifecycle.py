"""The campaign as a first-class object: its stage (筹备 → 实施 → 总结 → 归档), deleting a draft, its own plan
types, goals by form, and undoing a mistaken task-table import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from campaigns import goals as goal_services
from campaigns import lifecycle, services
from campaigns.choices import StageAction, TaskSource
from campaigns.forms import GoalForm, GoalImportForm, PlanTypeForm
from campaigns.models import Goal, Plan
from campaigns.views.common import office_campaign
from core.filters import parse_id, parse_int
from core.forms import add_service_error
from core.imports.views import upload_page
from core.permissions import roles_required
from core.scoping import get_visible_or_404


def _errors(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", [str(exc)]))


@require_POST
@roles_required(Role.OFFICE)
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    action = request.POST.get("action") or ""
    if action not in StageAction.values:
        messages.error(request, _("未知的操作。"))
        return redirect("campaigns:overview", pk=campaign.pk)
    try:
        campaign = lifecycle.campaign_transition(actor=request.user, campaign=campaign, action=action,
                                                 note=(request.POST.get("note") or "")[:500])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("行动已进入“%(s)s”阶段。") % {"s": campaign.get_stage_display()})
    return redirect("campaigns:overview", pk=campaign.pk)


@require_POST
@roles_required(Role.OFFICE)
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    try:
        lifecycle.campaign_delete(actor=request.user, campaign=campaign)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect("campaigns:overview", pk=campaign.pk)
    messages.success(request, _("已删除筹备中的行动“%(n)s”，删除已记入变更日志。") % {"n": campaign.name})
    return redirect("campaigns:list")


@roles_required(Role.OFFICE)
def plan_types(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's own plan types (its domains or actions, e.g. 八大行动)."""
    campaign = office_campaign(request, pk)
    edit_id = parse_id(request.GET.get("edit") or request.POST.get("type_id"))
    current = campaign.plan_types.filter(pk=edit_id).first() if edit_id is not None else None
    form = PlanTypeForm(request.POST or None, instance=current)
    if request.method == "POST":
        delete_id = parse_id(request.POST.get("delete"))
        if delete_id is not None:
            target = campaign.plan_types.filter(pk=delete_id).first()
            if target is not None:
                try:
                    services.plan_type_delete(actor=request.user, plan_type=target)
                except (ValidationError, PermissionDenied) as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, _("已删除方案类别。"))
            return redirect("campaigns:plan_types", pk=campaign.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["sort"] = current.sort if current else campaign.plan_types.count() + 1
            try:
                services.plan_type_save(actor=request.user, campaign=campaign, plan_type=current, **data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存方案类别。"))
                return redirect("campaigns:plan_types", pk=campaign.pk)
    rows = campaign.plan_types.select_related("domain").order_by("sort", "code")
    return render(request, "campaigns/plan_types.html", {"campaign": campaign, "rows": rows, "form": form,
                                                         "current": current})


@roles_required(Role.OFFICE)
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    """Add or change a goal / indicator of a plan (``pk`` is the plan)."""
    plan = get_visible_or_404(Plan.objects.select_related("campaign"), request.user, pk=pk)
    campaign = office_campaign(request, plan.campaign_id)
    goal = get_visible_or_404(Goal.objects.filter(plan=plan), request.user, pk=goal_pk) if goal_pk else None
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST":
        if request.POST.get("delete") and goal is not None:
            try:
                goal_services.goal_delete(actor=request.user, goal=goal)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _errors(exc))
                return redirect("campaigns:goal", pk=goal.pk)
            messages.success(request, _("已删除目标指标。"))
            return redirect("campaigns:plan", pk=plan.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if goal is None:
                data["sort"] = plan.goals.count() + 1
                data["source"] = "form"
            try:
                goal = goal_services.goal_save(actor=request.user, plan=plan, goal=goal, **data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存目标指标。"))
                return redirect("campaigns:plan", pk=plan.pk)
    return render(request, "campaigns/goal_form.html", {"form": form, "plan": plan, "campaign": campaign,
                                                        "goal": goal})


@require_POST
@roles_required(Role.OFFICE)
def table_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a mistaken task-table import (``pk`` is the plan): refused once any of its tasks has a report."""
    plan = get_visible_or_404(Plan.objects.select_related("campaign"), request.user, pk=pk)
    office_campaign(request, plan.campaign_id)
    year = parse_int(request.POST.get("year"), minimum=1900, maximum=2200)
    if year is None:
        messages.error(request, _("请选择清单年度。"))
        return redirect("campaigns:plan", pk=plan.pk)
    try:
        n = services.table_delete(actor=request.user, plan=plan, year=year)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已删除%(y)d年任务清单的 %(n)d 项任务，删除已记入变更日志。") % {"y": year, "n": n})
    return redirect("campaigns:plan", pk=plan.pk)


def table_years(plan: Plan) -> list[int]:
    return sorted({y for y in plan.tasks.filter(source=TaskSource.TABLE).values_list("table_year", flat=True) if y})



@roles_required(Role.OFFICE)
def goal_import(request: HttpRequest, pk: int) -> HttpResponse:
    """目标指标 from .xlsx for any campaign (``campaigns.goal_import``)."""
    from campaigns.goal_import import IMPORTER

    campaign = office_campaign(request, pk)
    form = GoalImportForm(request.POST or None, request.FILES or None)
    return upload_page(request, kind=IMPORTER.key, form=form, template="campaigns/goal_import.html",
                       params=lambda data: {"campaign": campaign.pk}, context={"campaign": campaign})
