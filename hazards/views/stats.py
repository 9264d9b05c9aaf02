"""双报告: the 统计分析表 with its due date, submitted with one action; the notice for the workers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.filters import parse_id, parse_int
from core.forms import add_service_message
from core.permissions import business_required
from core.scoping import get_visible_or_404
from enterprises.models import Enterprise
from hazards.choices import OPEN_STATUSES, Grade
from hazards.forms import StatsSubmitForm
from hazards.models import Hazard, StatisticsReport
from hazards.selectors import last_closed_periods
from hazards.statistics import period_from, snapshot_for, stats_report_submit, visible_report_figures
from orgs.models import Domain

ROWS = [("general", _("一般事故隐患")), ("major", _("重大事故隐患")), ("unassessed", _("未定级")), ("total", _("合计"))]


def _enterprise(request: HttpRequest) -> Enterprise | None:
    user = request.user
    if user.has_role(Role.ENTERPRISE) and user.enterprise_id:
        return user.enterprise
    raw = request.GET.get("enterprise") or request.POST.get("enterprise")
    if raw:
        ent_id = parse_id(raw)
        if ent_id is None:
            raise Http404
        return get_visible_or_404(Enterprise.objects.all(), user, pk=ent_id)
    return None


@business_required
def stats_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(request)
    today = timezone.localdate()
    if request.method == "POST":
        form = StatsSubmitForm(request.POST)
        if enterprise is None or not form.is_valid():
            messages.error(request, _("请填写主要负责人姓名。"))
        else:
            try:
                report = stats_report_submit(actor=user, enterprise=enterprise, kind=form.cleaned_data["kind"],
                                             year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"] or 0,
                                             principal=form.cleaned_data["principal"])
            except (ValidationError, PermissionDenied) as exc:
                add_service_message(request, exc)
            else:
                messages.success(request, _("已报送%(p)s统计分析表。") % {"p": report.period_label})
                return redirect("hazards:stats_detail", pk=report.pk)
    periods: list[dict[str, Any]] = []
    if enterprise is not None:
        submitted = {(r.kind, r.year, r.quarter): r for r in StatisticsReport.objects.filter(enterprise=enterprise)}
        for period in last_closed_periods(today):
            periods.append({
                "period": period, "figures": visible_report_figures(user, enterprise, period),
                "report": submitted.get((period.kind, period.year, period.quarter)),
                "days_left": (period.due - today).days,
                "form": StatsSubmitForm(initial={"kind": period.kind, "year": period.year, "quarter": period.quarter,
                                                 "principal": enterprise.principal if enterprise.principal != "（演示）"
                                                 else ""}),
            })
    reports = (StatisticsReport.objects.visible_to(user).select_related("enterprise")
               .order_by("-submitted_at")[:100])
    return render(request, "hazards/stats.html", {
        "enterprise": enterprise, "periods": periods, "rows": ROWS, "reports": reports,
        "can_submit": enterprise is not None and user.has_role(Role.ENTERPRISE) and user.enterprise_id == enterprise.pk,
    })


@business_required
def stats_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(StatisticsReport.objects.select_related("enterprise", "submitted_by"),
                                request.user, pk=pk)
    figures, codes = snapshot_for(request.user, report)
    domains = [str(d) for d in Domain.objects.filter(code__in=codes).order_by("code")] if codes else []
    return render(request, "hazards/print/stats_report.html", {"report": report, "rows": ROWS,
                                                               "figures": figures, "domains": domains})


@business_required
def stats_notice(request: HttpRequest) -> HttpResponse:
    """信息公示栏 / 职工代表大会: the hazards and their rectification, printable for the workers (第四十一条)."""
    enterprise = _enterprise(request)
    if enterprise is None:
        raise Http404
    kind = request.GET.get("kind", "quarter")
    try:
        year = parse_int(request.GET.get("year") or 0, minimum=0, maximum=9999)
        quarter = parse_int(request.GET.get("quarter") or 0, minimum=0, maximum=4)
        if year is None or quarter is None:
            raise ValueError
        period = period_from(kind, year, quarter) if year else last_closed_periods(timezone.localdate())[0]
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    # Every figure and list from visible_to: a department regulating one of the enterprise's domains prints
    # the notice for that domain only.
    visible = Hazard.objects.visible_to(request.user).filter(enterprise=enterprise)
    hazards = (visible.filter(found_at__date__lte=period.end)
               .exclude(status="voided").exclude(closed_at__date__lt=period.start)
               .select_related("domain").order_by("-grade", "found_at"))[:300]
    major_open = visible.filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES)
    return render(request, "hazards/print/workers_notice.html", {
        "enterprise": enterprise, "period": period, "rows": ROWS,
        "figures": visible_report_figures(request.user, enterprise, period),
        "hazards": hazards, "major_open": major_open.select_related("supervisor_unit")})
