"""Staff pages of the tips app. Every read starts from ``visible_to``; out of scope is 404. The reporter's
identity is shown only on the response to an explicit POST (``identity``), which records the showing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import roles_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for
from enforcement.models import Case, Inspection
from enterprises.models import Enterprise
from tips import services
from tips.choices import TipStatus
from tips.filters import TipFilter
from tips.forms import (
    MOVE_FORMS,
    BandForm,
    CaseForm,
    ExposureForm,
    HazardForm,
    InspectionForm,
    VerifyForm,
    WithdrawForm,
    places,
)
from tips.models import ExposureEntry, RewardBand, Tip
from tips.workflow import TRANSITIONS, is_office, is_territorial_or_handler

STAFF = (Role.OFFICE, Role.TOWNSHIP, Role.REGULATOR, Role.INSPECTOR)


class TipListView(ScopedListView):
    model = Tip
    filterset_class = TipFilter
    template_name = "tips/list.html"
    roles = STAFF
    sort_fields = {"received": "received_at", "status": "status"}
    default_sort = "-received"
    export_filename = "tips.xlsx"
    export_columns = (
        ("查询码前缀", lambda t: t.code[:4]), ("举报类别", lambda t: t.get_kind_display()),
        ("所在乡镇（街道）", lambda t: t.jurisdiction.name), ("被举报单位或场所", lambda t: t.place),
        ("地址", lambda t: t.address), ("举报内容", lambda t: t.description), ("状态", lambda t: t.get_status_display()),
        ("收到时间", lambda t: t.received_at), ("承办单位", lambda t: t.assigned_unit.name if t.assigned_unit_id else ""),
        ("举报属实", lambda t: {True: "是", False: "否"}.get(t.confirmed, "")),
        ("奖励金额（元）", lambda t: t.reward_amount),
    )

    def decorate(self, qs: Any) -> Any:
        return qs.select_related("jurisdiction", "enterprise", "assigned_unit")


def _detail_context(request: HttpRequest, tip: Tip, **extra: Any) -> dict[str, Any]:
    user = request.user
    moves = [{"move": move, "form": MOVE_FORMS[move.action]()} for _to, move in TRANSITIONS.allowed(user, tip)]
    may_hazard = (tip.confirmed and not tip.hazard_id and is_territorial_or_handler(user, tip)
                  and tip.status not in (TipStatus.RECEIVED, TipStatus.ASSIGNED, TipStatus.FORWARDED,
                                         TipStatus.DISMISSED))
    publishable = is_office(user, tip) and tip.status in (TipStatus.REPLIED, TipStatus.REWARD_PROPOSED,
                                                          TipStatus.REWARD_APPROVED, TipStatus.PAID, TipStatus.CLOSED)
    return {
        "tip": tip, "moves": moves, "events": tip.events.select_related("actor"),
        "photos": attachments_for(tip, "tip"), "verification_photos": attachments_for(tip, "verification"),
        "may_identity": services.may_see_identity(user, tip), "has_identity": hasattr(tip, "identity"),
        "hazard_form": HazardForm() if may_hazard else None,
        "inspection_form": InspectionForm(user=user, tip=tip) if services.may_open_inspection(user, tip) else None,
        "case_form": CaseForm() if services.may_open_case(user, tip) else None,
        "inspection_visible": tip.inspection_id is not None
        and Inspection.objects.visible_to(user).filter(pk=tip.inspection_id).exists(),
        "case_visible": tip.case_id is not None and Case.objects.visible_to(user).filter(pk=tip.case_id).exists(),
        "exposure_form": ExposureForm(initial={"enterprise_name": tip.enterprise.name if tip.enterprise_id else ""})
        if publishable else None,
        "history": ChangeEvent.objects.for_object(tip)[:100], **extra,
    }


def _tips() -> Any:
    return Tip.objects.select_related("jurisdiction", "enterprise", "assigned_unit", "hazard", "identity",
                                      "inspection__enterprise", "inspection__premises", "case")


@roles_required(*STAFF)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(_tips(), request.user, pk=pk)
    return render(request, "tips/detail.html", _detail_context(request, tip))


def _messages(exc: ValidationError | PermissionDenied) -> str:
    return "；".join(exc.messages if isinstance(exc, ValidationError) else [str(exc)])


@require_POST
@roles_required(*STAFF)
def move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    tip = get_visible_or_404(Tip.objects.all(), request.user, pk=pk)
    if action not in MOVE_FORMS:
        raise Http404
    form = MOVE_FORMS[action](request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)})
        return redirect("tips:detail", pk=tip.pk)
    data = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
    note = request.POST.get("note", "")
    try:
        if isinstance(form, VerifyForm):
            services.tip_verify(actor=request.user, tip=tip, note=note, photos=request.FILES.getlist("photos"), **data)
        else:
            services.tip_transition(actor=request.user, tip=tip, action=action, note=note, **data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已办理。"))
    return redirect("tips:detail", pk=tip.pk)


@require_POST
@roles_required(*STAFF)
def identity(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(_tips(), request.user, pk=pk)
    try:
        shown = services.identity_reveal(actor=request.user, tip=tip)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("tips:detail", pk=tip.pk)
    response = render(request, "tips/detail.html", _detail_context(request, tip, identity=shown))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@roles_required(*STAFF)
def hazard(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(Tip.objects.all(), request.user, pk=pk)
    form = HazardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写隐患信息。"))
        return redirect("tips:detail", pk=tip.pk)
    try:
        made = services.tip_register_hazard(actor=request.user, tip=tip, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已登记为隐患 %(n)s。") % {"n": made.number})
    return redirect("tips:detail", pk=tip.pk)


@require_POST
@roles_required(Role.REGULATOR)
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(_tips(), request.user, pk=pk)
    if not services.is_handling_department(request.user, tip):
        raise PermissionDenied
    form = InspectionForm(request.POST, user=request.user, tip=tip)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)})
        return redirect("tips:detail", pk=tip.pk)
    try:
        made = services.tip_open_inspection(actor=request.user, tip=tip, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
        return redirect("tips:detail", pk=tip.pk)
    messages.success(request, _("已据举报建立执法检查任务。"))
    return redirect("enforcement:inspection", pk=made.pk)


@require_POST
@roles_required(Role.REGULATOR)
def case(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(_tips(), request.user, pk=pk)
    form = CaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写案由。"))
        return redirect("tips:detail", pk=tip.pk)
    try:
        made = services.tip_open_case(actor=request.user, tip=tip, cause=form.cleaned_data["cause"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
        return redirect("tips:detail", pk=tip.pk)
    messages.success(request, _("已据举报立案。"))
    return redirect("enforcement:case", pk=made.pk)


@require_POST
@roles_required(Role.OFFICE)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    tip = get_visible_or_404(Tip.objects.all(), request.user, pk=pk)
    form = ExposureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写典型案例。"))
        return redirect("tips:detail", pk=tip.pk)
    try:
        services.exposure_publish(actor=request.user, tip=tip, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已在曝光台发布。"))
    return redirect("tips:detail", pk=tip.pk)


@roles_required(Role.OFFICE)
def exposure_list(request: HttpRequest) -> HttpResponse:
    entries = ExposureEntry.objects.visible_to(request.user).order_by("-published_on", "-pk")[:200]
    return render(request, "tips/exposure_list.html", {"entries": entries, "withdraw_form": WithdrawForm()})


@require_POST
@roles_required(Role.OFFICE)
def exposure_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(ExposureEntry.objects.all(), request.user, pk=pk)
    try:
        services.exposure_withdraw(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已撤下。"))
    return redirect("tips:exposure")


@roles_required(*STAFF)
def rewards(request: HttpRequest) -> HttpResponse:
    form = BandForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_role(Role.OFFICE):
            raise PermissionDenied
        if form.is_valid():
            try:
                if request.POST.get("delete"):
                    band = RewardBand.objects.filter(kind=form.cleaned_data["kind"] or "",
                                                     grade=form.cleaned_data["grade"] or "").first()
                    if band is not None:
                        services.reward_band_delete(actor=request.user, band=band)
                else:
                    services.reward_band_save(actor=request.user, kind=form.cleaned_data["kind"] or "",
                                              grade=form.cleaned_data["grade"] or "",
                                              amount=form.cleaned_data["amount"], basis=form.cleaned_data["basis"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _messages(exc))
            else:
                messages.success(request, _("奖励标准已保存。"))
                return redirect("tips:rewards")
    return render(request, "tips/rewards.html", {
        "bands": RewardBand.objects.all(), "defaults": services.DEFAULT_BANDS, "form": form,
        "may_edit": request.user.has_role(Role.OFFICE)})


def _qr(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=8, border=2)


@roles_required(Role.OFFICE, Role.TOWNSHIP)
def poster(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A printable poster whose QR code opens the public page with the place filled in."""
    scope = request.user.get_scope()
    if kind == "township":
        place = places().filter(pk=pk).first()
        if place is None or not scope.covers_path(place.path):
            raise Http404
        title, query = place.name, f"?j={place.pk}"
    elif kind == "enterprise":
        enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
        title, query = enterprise.name, f"?e={enterprise.pk}"
    else:
        raise Http404
    url = request.build_absolute_uri(reverse("tips:report") + query)
    return render(request, "tips/poster.html", {"title": title, "url": url, "qr": _qr(url)})


@roles_required(Role.OFFICE, Role.TOWNSHIP)
def posters(request: HttpRequest) -> HttpResponse:
    scope = request.user.get_scope()
    towns = [p for p in places() if scope.covers_path(p.path)]
    return render(request, "tips/posters.html", {"towns": towns})

