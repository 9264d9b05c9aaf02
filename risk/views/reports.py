"""风险报告 for regulators, 分类分级 overrides, 班前会 records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.forms import add_service_error
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from risk import services
from risk.choices import CLASS_FREQUENCY, GRADE_COLOUR, EnterpriseClass, Method, PointKind, ReportStatus
from risk.filters import RiskReportFilter
from risk.forms import AcknowledgeForm, ClassOverrideForm, MeetingForm, SchemeForm
from risk.models import ClassDecision, GradingScheme, PreShiftMeeting, RiskReport
from risk.selectors import CLASS_RULE, enterprise_class
from risk.views.common import visible_enterprise


class ReportListView(ScopedListView):
    model = RiskReport
    filterset_class = RiskReportFilter
    template_name = "risk/report_list.html"
    sort_fields = {"submitted": "submitted_at"}
    default_sort = "-submitted"
    export_filename = "风险报告.xlsx"
    export_columns = [
        (_("企业"), lambda r: r.enterprise.name),
        (_("版次"), lambda r: r.version),
        (_("报告时间"), lambda r: r.submitted_at),
        (_("企业风险等级"), lambda r: r.get_overall_grade_display()),
        (_("新增"), lambda r: len(r.changes.get("added", []))),
        (_("撤销"), lambda r: len(r.changes.get("removed", []))),
        (_("等级变化"), lambda r: len(r.changes.get("grade_changed", []))),
        (_("状态"), lambda r: r.get_status_display()),
    ]

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise", "submitted_by").defer("snapshot")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        kwargs["colours"] = GRADE_COLOUR
        return kwargs


@business_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(RiskReport.objects.select_related("enterprise", "submitted_by", "acknowledged_by"),
                                request.user, pk=pk)
    form = AcknowledgeForm(request.POST or None)
    can_ack = request.user.has_role(*services.REVIEWERS) and report.status == ReportStatus.SUBMITTED
    if request.method == "POST":
        if not can_ack:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_acknowledge(actor=request.user, report=report, note=form.cleaned_data["note"])
                messages.success(request, _("已签收风险报告。"))
                return redirect("risk:report", pk=report.pk)
            except ValidationError as exc:
                add_service_error(form, exc)
    previous = (RiskReport.objects.filter(enterprise_id=report.enterprise_id, version__lt=report.version)
                .order_by("-version").only("pk", "version", "overall_grade").first())
    kinds = dict(PointKind.choices)
    return render(request, "risk/report_detail.html", {
        "report": report, "previous": previous, "form": form, "can_ack": can_ack, "colours": GRADE_COLOUR,
        "kinds": kinds, "changes": report.changes, "history": ChangeEvent.objects.for_object(report)[:50],
    })


@roles_required(*services.CLASSIFIERS)
def class_override(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, pk)
    info = enterprise_class(enterprise, viewer=request.user)
    form = ClassOverrideForm(request.POST or None, initial={"klass": info.decision.klass if info.decision else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.class_override(actor=request.user, enterprise=enterprise, klass=form.cleaned_data["klass"] or None,
                                    reason=form.cleaned_data["reason"])
            messages.success(request, _("已调整监管类别。"))
            return redirect("risk:enterprise", pk=enterprise.pk)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    decisions = ClassDecision.objects.filter(enterprise=enterprise).select_related("decided_by")[:20]
    return render(request, "risk/class_form.html", {
        "enterprise": enterprise, "info": info, "form": form, "decisions": decisions, "class_rule": CLASS_RULE,
        "frequencies": [(EnterpriseClass(k).label, v) for k, v in CLASS_FREQUENCY.items()],
    })


@business_required
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, pk)
    can_edit = services.can_edit(request.user, enterprise)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.meeting_record(actor=request.user, enterprise=enterprise, **form.cleaned_data)
                messages.success(request, _("已记录班前会。"))
                return redirect("risk:meetings", pk=enterprise.pk)
            except ValidationError as exc:
                add_service_error(form, exc)
    team = request.GET.get("team", "")
    qs = PreShiftMeeting.objects.visible_to(request.user).filter(enterprise=enterprise)
    teams = list(qs.order_by("team").values_list("team", flat=True).distinct())
    if team:
        qs = qs.filter(team=team)
    return render(request, "risk/meetings.html", {"enterprise": enterprise, "form": form, "can_edit": can_edit,
                                                  "meetings": qs[:100], "teams": teams, "team": team})


@roles_required(Role.OFFICE)
def schemes(request: HttpRequest) -> HttpResponse:
    """风险分级方案: the default thresholds, and per-domain overrides (each change bumps the version)."""
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.scheme_save(actor=request.user, method=d["method"], domain=d["domain"], name=d["name"],
                                 red=d["red"], orange=d["orange"], yellow=d["yellow"], inclusive=d["inclusive"])
            messages.success(request, _("已保存风险分级方案。之后的评估按新方案计算，已有评估记录保留原方案版本。"))
            return redirect("risk:schemes")
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    rows = list(GradingScheme.objects.select_related("domain").order_by("method", "domain__code"))
    present = {r.method for r in rows if r.domain_id is None}
    builtin = [services.builtin_scheme(m) for m in (Method.LEC, Method.LS) if m not in present]
    for row in [*rows, *builtin]:
        row.ranges = row.bands.describe("D" if row.method == Method.LEC else "R")
    return render(request, "risk/schemes.html", {"rows": rows, "builtin": builtin, "form": form})
