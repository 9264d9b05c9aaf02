"""The risk overview (regulators), the 一企一清单 page, its export, and the 风险报告."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.export import download, file_response
from core.listing import ScopedListView
from core.permissions import business_required
from enterprises.models import Enterprise
from risk import services
from risk.choices import CLASS_FREQUENCY, GRADE_COLOUR, Grade, ReportStatus
from risk.documents import risk_list_xlsx
from risk.filters import RiskOverviewFilter
from risk.forms import ReportForm
from risk.models import RiskReport, SitePlan
from risk.selectors import CLASS_RULE, OVERALL_RULE, RANK_GRADE, annotate_overall, classes_for, overall_grade
from risk.views.common import points_for, visible_enterprise


@business_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_role(Role.ENTERPRISE) and user.enterprise_id:
        return redirect("risk:enterprise", pk=user.enterprise_id)
    return redirect("risk:overview")


class RiskOverviewView(ScopedListView):
    """Enterprises in scope with their overall grade, class, and the state of their latest 风险报告."""

    model = Enterprise
    filterset_class = RiskOverviewFilter
    template_name = "risk/overview.html"
    sort_fields = {"name": "name", "grade": "risk_rank"}
    default_sort = "name"
    export_filename = "企业安全风险等级.xlsx"
    export_columns = [
        (_("企业名称"), lambda e: e.name),
        (_("属地"), lambda e: e.jurisdiction.name),
        (_("企业风险等级"), lambda e: Grade(RANK_GRADE[e.risk_rank]).label if e.risk_rank else "尚未评估"),
        (_("红色风险点有未销号隐患"), lambda e: e.red_open_hazard),
    ]

    def base_queryset(self) -> QuerySet:
        return annotate_overall(Enterprise.objects.visible_to(self.request.user))

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("jurisdiction")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        objects = list(kwargs["objects"])
        classes = classes_for(objects, viewer=self.request.user)
        latest: dict[int, RiskReport] = {}
        for r in (RiskReport.objects.visible_to(self.request.user).filter(enterprise_id__in=[e.pk for e in objects])
                  .order_by("enterprise_id", "-version")):
            latest.setdefault(r.enterprise_id, r)
        for e in objects:
            e.overall = RANK_GRADE.get(e.risk_rank or 0)
            e.klass = classes[e.pk]
            e.latest_report = latest.get(e.pk)
        kwargs["objects"] = objects
        kwargs["pending"] = (RiskReport.objects.visible_to(self.request.user)
                             .filter(status=ReportStatus.SUBMITTED).count())
        kwargs["overall_rule"] = OVERALL_RULE
        kwargs["colours"] = GRADE_COLOUR
        kwargs["can_schemes"] = self.request.user.has_role(Role.OFFICE)
        return kwargs


@business_required
def enterprise_risk(request: HttpRequest, pk: int) -> HttpResponse:
    """一企一清单."""
    enterprise = visible_enterprise(request, pk)
    points = list(points_for(request, enterprise))
    grade = overall_grade(enterprise)
    reports = list(RiskReport.objects.visible_to(request.user).filter(enterprise=enterprise)
                   .select_related("submitted_by", "acknowledged_by").order_by("-version")[:10])
    klass = classes_for([enterprise], viewer=request.user)[enterprise.pk]
    current = services.snapshot_points(enterprise)
    pending_changes = services.compare_snapshots(reports[0].snapshot if reports else [], current)
    return render(request, "risk/enterprise_risk.html", {
        "enterprise": enterprise, "points": points, "overall": grade, "overall_rule": OVERALL_RULE,
        "klass": klass, "class_rule": CLASS_RULE, "frequencies": CLASS_FREQUENCY, "reports": reports,
        "colours": GRADE_COLOUR, "can_edit": services.can_edit(request.user, enterprise),
        "can_classify": request.user.has_role(*services.CLASSIFIERS),
        "has_plan": SitePlan.objects.filter(enterprise=enterprise, attachment__isnull=False).exists(),
        "pending_changes": pending_changes, "unreported": any(pending_changes.values()),
        "report_form": ReportForm(), "today": timezone.localdate(),
        "review_due": sum(1 for p in points if p.review_date and p.review_date < timezone.localdate()),
    })


@download("xlsx", pk=Enterprise)
@business_required
def enterprise_export(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, pk)
    points = list(points_for(request, enterprise))
    grade = overall_grade(enterprise)
    data = risk_list_xlsx(enterprise, points, str(Grade(grade).label) if grade else _("尚未评估"))
    return file_response(data, f"{enterprise.name}安全风险分级管控清单.xlsx")


@require_POST
@business_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, pk)
    form = ReportForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        report = services.report_submit(actor=request.user, enterprise=enterprise, note=note)
        messages.success(request, _("已向监管部门报告风险清单（第%(v)d版）。") % {"v": report.version})
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("risk:enterprise", pk=enterprise.pk)
