"""A risk point: create, edit, assess, measures, hazards, the 一会三卡 cards."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.export import download, file_response
from core.forms import add_service_error
from core.models import ChangeEvent
from core.permissions import business_required
from core.scoping import get_visible_or_404
from risk import services
from risk.choices import GRADE_COLOUR, Grade, Method, PointKind, accident_labels, hazard_factor_labels
from risk.doc_templates import CARD_KINDS, card_rows, qr_png
from risk.documents import card_context, card_docx
from risk.forms import AssessForm, HazardLinkForm, MeasureForm, RiskPointForm
from risk.models import ControlMeasure, RiskPoint, RiskPointHazard
from risk.scoring import DEFAULT_BANDS
from risk.views.common import visible_enterprise


def visible_point(request: HttpRequest, pk: int) -> RiskPoint:
    return get_visible_or_404(RiskPoint.objects.select_related("enterprise", "enterprise__jurisdiction"),
                              request.user, pk=pk)


def _assess_from_form(request: HttpRequest, point: RiskPoint, form: AssessForm) -> bool:
    if not form.is_valid():
        return False
    d = form.cleaned_data
    try:
        services.risk_point_assess(actor=request.user, risk_point=point, method=d["method"], inputs=form.inputs(),
                                   direct_major=d["direct_major"], direct_reason=d["direct_reason"],
                                   reason=d["reason"])
        return True
    except (ValidationError, PermissionDenied) as exc:
        add_service_error(form, exc)
        return False


@business_required
def point_create(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, enterprise_pk)
    if not services.can_edit(request.user, enterprise):
        raise PermissionDenied
    form = RiskPointForm(request.POST or None, prefix="p")
    assess = AssessForm(request.POST or None, prefix="a", initial={"method": Method.LEC})
    if request.method == "POST" and form.is_valid() and assess.is_valid():
        try:
            with transaction.atomic():
                point = services.risk_point_create(actor=request.user, enterprise=enterprise, **form.cleaned_data)
                if not _assess_from_form(request, point, assess):
                    raise ValidationError("")
            messages.success(request, _("已登记风险点：%(n)s（%(g)s）") % {"n": point.name,
                                                                    "g": point.get_grade_display()})
            return redirect("risk:point", pk=point.pk)
        except ValidationError as exc:
            if exc.messages != [""]:
                add_service_error(form, exc)
    return render(request, "risk/point_form.html", {"form": form, "assess": assess, "enterprise": enterprise,
                                                    "bands": _bands(), "preview": _preview(enterprise)})


def _preview(enterprise: Any) -> dict[str, Any]:
    """What the live grade on the assessment form needs (risk/static/risk/assess_preview.js): the thresholds of
    every scheme that applies to this enterprise, per method, and the grade labels."""
    return {
        "schemes": {method: [{"red": float(s.red_threshold), "orange": float(s.orange_threshold),
                              "yellow": float(s.yellow_threshold), "inclusive": s.inclusive}
                             for s in services.schemes_for(enterprise, method)]
                    for method in (Method.LEC, Method.LS)},
        "grades": {value: str(label) for value, label in Grade.choices},
        "words": {"pending": _("选齐各项取值后显示风险值和等级"), "direct": _("直接判定为重大风险（红）")},
    }


def _bands() -> dict[str, list[tuple[str, str]]]:
    return {"lec": DEFAULT_BANDS[Method.LEC].describe("D"), "ls": DEFAULT_BANDS[Method.LS].describe("R")}


@business_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = visible_point(request, pk)
    if not services.can_edit(request.user, point.enterprise):
        raise PermissionDenied
    form = RiskPointForm(request.POST or None, instance=point, prefix="p")
    if request.method == "POST":
        if request.POST.get("archive"):
            try:
                services.risk_point_archive(actor=request.user, risk_point=point,
                                            reason=request.POST.get("archive_reason", ""))
                messages.success(request, _("已撤销风险点（下次报告时将列为撤销）。"))
                return redirect("risk:enterprise", pk=point.enterprise_id)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        elif form.is_valid():
            try:
                services.risk_point_update(actor=request.user, risk_point=point, **form.cleaned_data)
                messages.success(request, _("已保存。"))
                return redirect("risk:point", pk=point.pk)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
    return render(request, "risk/point_form.html", {"form": form, "point": point, "enterprise": point.enterprise})


@business_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = visible_point(request, pk)
    can_edit = services.can_edit(request.user, point.enterprise)
    initial = {"method": point.method or Method.LEC, "direct_major": point.direct_major,
               "direct_reason": point.direct_reason}
    for key, field in (("lec_l", "score_l"), ("lec_e", "score_e"), ("lec_c", "score_c"), ("ls_l", "score_l"),
                       ("ls_s", "score_s")):
        v = getattr(point, field)
        if v is not None:
            initial[key] = format(v.normalize(), "f")
    links = list(RiskPointHazard.objects.visible_to(request.user).filter(risk_point=point)
                 .select_related("hazard"))
    from hazards.models import Hazard

    linkable = list(Hazard.objects.visible_to(request.user).filter(enterprise=point.enterprise,
                                                                   risk_link__isnull=True)
                    .order_by("-found_at", "-pk")[:100])
    factors, accidents = hazard_factor_labels(), accident_labels()
    return render(request, "risk/point_detail.html", {
        "point": point, "enterprise": point.enterprise, "can_edit": can_edit,
        "assess": AssessForm(initial=initial, prefix="a"), "measure_form": MeasureForm(),
        "measures": point.measures.all(), "assessments": point.assessments.select_related("assessed_by")[:50],
        "links": links, "linkable": linkable, "open_hazard": any(link.hazard.is_open for link in links),
        "factors": [factors.get(c, c) for c in point.hazard_factors],
        "accidents": [accidents.get(c, c) for c in point.accident_types],
        "history": ChangeEvent.objects.for_object(point)[:100], "colours": GRADE_COLOUR,
        "card_kinds": CARD_KINDS, "is_post": point.kind == PointKind.POST, "bands": _bands(),
        "preview": _preview(point.enterprise) if can_edit else None,
        "can_link": can_edit or request.user.has_role(*services.REVIEWERS),
    })


@require_POST
@business_required
def point_assess(request: HttpRequest, pk: int) -> HttpResponse:
    point = visible_point(request, pk)
    form = AssessForm(request.POST, prefix="a")
    if _assess_from_form(request, point, form):
        point.refresh_from_db()
        messages.success(request, _("已重新评估：%(g)s") % {"g": point.get_grade_display()})
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("risk:point", pk=point.pk)


@require_POST
@business_required
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = visible_point(request, pk)
    form = MeasureForm(request.POST)
    if form.is_valid():
        try:
            services.measure_add(actor=request.user, risk_point=point, **form.cleaned_data)
            messages.success(request, _("已添加管控措施。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请填写措施类别、管控层级、措施内容和责任人。"))
    return redirect(reverse("risk:point", args=[point.pk]) + "#measures")


@require_POST
@business_required
def measure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_visible_or_404(ControlMeasure.objects.select_related("risk_point__enterprise"), request.user, pk=pk)
    services.measure_delete(actor=request.user, measure=measure)
    messages.success(request, _("已删除管控措施。"))
    return redirect(reverse("risk:point", args=[measure.risk_point_id]) + "#measures")


@require_POST
@business_required
def hazard_link(request: HttpRequest, pk: int) -> HttpResponse:
    from hazards.models import Hazard

    point = visible_point(request, pk)
    form = HazardLinkForm(request.POST)
    if form.is_valid():
        hazard = get_visible_or_404(Hazard.objects.all(), request.user, pk=form.cleaned_data["hazard"])
        try:
            services.hazard_link(actor=request.user, risk_point=point, hazard=hazard)
            messages.success(request, _("已关联隐患。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect(reverse("risk:point", args=[point.pk]) + "#hazards")


@download("docx", pk=RiskPoint, kind=tuple(CARD_KINDS), queries=({}, {"size": "a6"}))
@business_required
def card(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    point, size, url, hazards = _card_inputs(request, pk, kind)
    data = card_docx(kind=kind, point=point, enterprise=point.enterprise, url=url, size=size, hazards=hazards)
    return file_response(data, f"{point.name}{CARD_KINDS[kind]}{'（小卡）' if size == 'a6' else ''}.docx")


def _card_inputs(request: HttpRequest, pk: int, kind: str) -> tuple[RiskPoint, str, str, list[Any]]:
    """What a card is made from, for the Word file and the page alike: the point (in scope), the size, the
    live record's address for the QR code and the point's open hazards the viewer may see."""
    point = visible_point(request, pk)
    if kind not in CARD_KINDS:
        raise Http404
    size = "a6" if request.GET.get("size") == "a6" else "a4"
    url = request.build_absolute_uri(reverse("risk:point", args=[point.pk]))
    hazards = [link.hazard for link in RiskPointHazard.objects.visible_to(request.user).filter(risk_point=point)
               .select_related("hazard") if link.hazard.is_open]
    return point, size, url, hazards


@business_required
def card_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The same card as a page to print from the browser (A4 or A6), for those without Word at hand."""
    import base64

    point, size, url, hazards = _card_inputs(request, pk, kind)
    context = card_context(point=point, enterprise=point.enterprise, url=url, size=size, hazards=hazards)
    return render(request, "risk/card_print.html", {
        "point": point, "kind": kind, "title": CARD_KINDS[kind], "size": size, "enterprise": point.enterprise,
        "rows": card_rows(kind, context),
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")})
