"""Task-table import/export, the two lists, indicators and the generated reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from accounts.choices import Role
from campaigns import goals as goal_services
from campaigns import reports, tasktable, twolists
from campaigns.choices import IndicatorStatus, ListItemStatus, ListKind, TaskSource
from campaigns.filters import ListItemFilter
from campaigns.forms import GoalReadingForm, ListItemForm, TaskTableImportForm
from campaigns.models import Campaign, Goal, ListItem, Plan, Task
from campaigns.models.scope import user_unit_ids
from campaigns.services import is_office_for
from campaigns.views.common import office_campaign, visible_campaign, writable
from core.export import download, xlsx_response
from core.filters import parse_int
from core.forms import add_service_error
from core.imports.views import upload_page
from core.listing import apply_filters
from core.paging import page_of
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from orgs.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


# -- task tables ----------------------------------------------------------------------------
@roles_required(Role.OFFICE)
def table_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    form = TaskTableImportForm(request.POST or None, request.FILES or None, campaign=campaign,
                               initial={"plan": request.GET.get("plan")})
    return upload_page(request, kind=tasktable.IMPORTER.key, form=form, template="campaigns/table_import.html",
                       params=lambda data: {"plan": data["plan"].pk, "year": data["year"],
                                            "drop_manual_units": bool(data.get("drop_manual_units"))},
                       context={"campaign": campaign})


@download("xlsx", pk=Plan)
@business_required
def table_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.select_related("campaign"), request.user, pk=pk)
    year = request.GET.get("year")
    tasks = (Task.objects.visible_to(request.user).filter(plan=plan, source=TaskSource.TABLE)
             .prefetch_related("unit_links__unit").order_by("table_year", "sort", "pk"))
    if parse_int(year, minimum=1900, maximum=2200) is not None:
        tasks = tasks.filter(table_year=int(year))
    caption = plan.table_caption or f"{plan.title}整治任务清单"
    return _download(tasktable.export_table(list(tasks), caption=caption), f"{plan.short_name}整治任务清单.xlsx", XLSX)


# -- two lists --------------------------------------------------------------------------------
@download("xlsx", queries=({"export": "xlsx"},), pk=Campaign)
@business_required
def lists(request: HttpRequest, pk: int) -> HttpResponse:
    """两个清单: a unit's own lists, or for the office the city-wide roll-up."""
    campaign = visible_campaign(request, pk)
    qs = ListItem.objects.visible_to(request.user).filter(campaign=campaign).select_related("unit")
    filterset, items = apply_filters(request, lambda data: ListItemFilter(data, queryset=qs, request=request))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"{campaign}两个清单.xlsx", "两个清单", [
            (_("单位"), lambda i: i.unit.name), (_("清单"), lambda i: i.get_kind_display()),
            (_("问题隐患 / 制度措施"), lambda i: i.item), (_("整改措施"), lambda i: i.measure),
            (_("责任人"), lambda i: i.owner), (_("时间表"), lambda i: i.deadline_text),
            (_("完成时限"), lambda i: i.deadline), (_("状态"), lambda i: i.get_status_display())], items)
    today = timezone.localdate()
    rollup = (qs.values("unit_id", "unit__name").annotate(
        problems=Count("pk", filter=Q(kind=ListKind.PROBLEM)), measures=Count("pk", filter=Q(kind=ListKind.MEASURE)),
        done=Count("pk", filter=Q(status=ListItemStatus.DONE)),
        overdue=Count("pk", filter=Q(deadline__lt=today) & ~Q(status=ListItemStatus.DONE)))
        .order_by("unit__name"))
    page = page_of(items, 50, request.GET.get("page"))
    own_units = Unit.objects.filter(pk__in=user_unit_ids(request.user), collective=False)
    return render(request, "campaigns/lists.html", {
        "campaign": campaign, "filter": filterset, "page": page, "items": page.object_list, "rollup": rollup,
        "is_office": writable(request.user, campaign), "own_units": own_units, "today": today,
        "can_add": not campaign.is_archived and (own_units.exists() or is_office_for(request.user, campaign))})


@business_required
def list_item_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    item = get_visible_or_404(ListItem.objects.filter(campaign=campaign), request.user, pk=item_pk) \
        if item_pk else None
    units = list(Unit.objects.filter(pk__in=user_unit_ids(request.user), collective=False))
    if item is None and not units:
        raise PermissionDenied
    unit = item.unit if item else units[0]
    if not twolists.can_edit(request.user, campaign, unit):
        raise PermissionDenied
    form = ListItemForm(request.POST or None, instance=item, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            twolists.list_item_save(actor=request.user, campaign=campaign, unit=unit, entry=item,
                                    **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("campaigns:lists", pk=campaign.pk)
    return render(request, "campaigns/list_item_form.html", {"form": form, "campaign": campaign, "item": item,
                                                             "unit": unit})


# -- indicators ---------------------------------------------------------------------------------
@business_required
def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    today = timezone.localdate()
    goals = list(goal_services.with_latest(Goal.objects.visible_to(request.user)
                                           .filter(plan__campaign=campaign).exclude(target_value__isnull=True)
                                           .select_related("plan")))
    counts = {s: 0 for s in IndicatorStatus.values}
    wanted = request.GET.get("status")
    rows = []
    for g in goals:
        g.state = g.status(g.latest_value, today)
        counts[g.state] += 1
        if not wanted or wanted == g.state:
            rows.append(g)
    return render(request, "campaigns/indicators.html", {
        "campaign": campaign, "goals": rows, "counts": counts, "statuses": IndicatorStatus.choices,
        "wanted": wanted, "total": len(goals)})


@business_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_visible_or_404(Goal.objects.select_related("plan__campaign"), request.user, pk=pk)
    today = timezone.localdate()
    form = GoalReadingForm(request.POST or None, initial={"as_of": today})
    can_report = goal.measurable and not goal.plan.campaign.is_archived and goal_services.can_report(request.user, goal)
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            try:
                goal_services.goal_report_value(actor=request.user, goal=goal, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已报送实际值。"))
                return redirect("campaigns:goal", pk=goal.pk)
    readings = list(goal.readings.select_related("unit", "reported_by"))
    latest = readings[0].value if readings else None
    return render(request, "campaigns/goal_detail.html", {
        "goal": goal, "campaign": goal.plan.campaign, "readings": readings, "form": form, "can_report": can_report,
        "state": goal.status(latest, today), "latest": latest})


# -- generated reports --------------------------------------------------------------------------
@download("xlsx", "docx", pk=Campaign, fmt=("xlsx", "docx"),
          queries=({"kind": "monthly"}, {"kind": "annual"}))
@business_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    kind = request.GET.get("kind") or reports.MONTHLY
    today = timezone.localdate()
    year = parse_int(request.GET.get("year") or today.year, minimum=1900, maximum=2200)
    month = parse_int(request.GET.get("month") or today.month, minimum=1, maximum=12) if kind == reports.MONTHLY \
        else None
    if kind not in (reports.MONTHLY, reports.ANNUAL) or year is None or (kind == reports.MONTHLY and month is None):
        raise Http404
    fig = reports.figures(request.user, campaign, kind, year, month)
    if fmt == "docx":
        return _download(reports.docx_bytes(campaign, fig, kind=kind, user=request.user), f"{fig.title}.docx", DOCX)
    return _download(reports.xlsx_bytes(fig), f"{fig.title}.xlsx", XLSX)


@business_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    today = timezone.localdate()
    kind = request.GET.get("kind") if request.GET.get("kind") in (reports.MONTHLY, reports.ANNUAL) else reports.MONTHLY
    year = parse_int(request.GET.get("year") or today.year, minimum=1900, maximum=2200)
    month = parse_int(request.GET.get("month") or today.month, minimum=-9999, maximum=9999)
    if year is None or month is None:
        raise Http404
    month = min(max(month, 1), 12)
    fig = reports.figures(request.user, campaign, kind, year, month if kind == reports.MONTHLY else None)
    return render(request, "campaigns/report.html", {"campaign": campaign, "fig": fig, "kind": kind, "year": year,
                                                     "month": month, "months": range(1, 13)})


