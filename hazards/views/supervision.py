"""挂牌督办: list a major hazard, record steps, printable notices, 交办单 and the 通报."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.forms import add_service_error, add_service_message
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from hazards import supervision as services
from hazards.forms import SupervisionForm, SupervisionRecordForm
from hazards.models import Hazard, Supervision, SupervisionCircular
from hazards.selectors import default_supervisor


@business_required
def supervision_create(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(Hazard.objects.select_related("enterprise", "supervisor_unit"), request.user, pk=pk)
    if not services.may_list(request.user, hazard):
        raise PermissionDenied
    initial = {"supervising_unit": hazard.supervisor_unit or default_supervisor(hazard), "deadline": hazard.deadline}
    form = SupervisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_list(actor=request.user, hazard=hazard, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已挂牌督办。"))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/supervision_form.html", {"form": form, "hazard": hazard})


def _supervision(request: HttpRequest, pk: int) -> Supervision:
    return get_visible_or_404(Supervision.objects.select_related(
        "hazard", "hazard__enterprise", "hazard__jurisdiction", "supervising_unit", "assigning_unit", "template"),
        request.user, pk=pk)


@require_POST
@business_required
def supervision_record(request: HttpRequest, pk: int) -> HttpResponse:
    supervision = _supervision(request, pk)
    kinds = list(supervision.template.steps.values_list("kind", flat=True)) + ["supervise"]
    form = SupervisionRecordForm(request.POST, kinds=kinds)
    if form.is_valid():
        try:
            services.supervision_record(actor=request.user, supervision=supervision, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_message(request, exc)
        else:
            messages.success(request, _("已记录督办情况。"))
    else:
        messages.error(request, _("请选择环节并填写督办情况。"))
    return redirect("hazards:detail", pk=supervision.hazard_id)


@business_required
def supervision_notice(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """挂牌 / 摘牌 public notice, one A4 page."""
    supervision = _supervision(request, pk)
    if kind not in ("listing", "removal") or (kind == "removal" and supervision.removed_at is None):
        raise Http404
    return render(request, "hazards/print/supervision_notice.html", {"s": supervision, "kind": kind,
                                                                     "today": timezone.localdate()})


@business_required
def supervision_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """交办单: responsible unit, assigning unit, supervising unit, deadline."""
    supervision = _supervision(request, pk)
    return render(request, "hazards/print/assign_sheet.html", {"s": supervision, "hazard": supervision.hazard})


@roles_required(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
def circular_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_role(Role.OFFICE):
            raise PermissionDenied
        circular = services.circular_issue()
        if circular is None:
            messages.info(request, _("本通报周期尚未结束，暂不生成新的通报。"))
        else:
            return redirect("hazards:circular", pk=circular.pk)
    circulars = list(SupervisionCircular.objects.all()[:100])
    # A circular is a county-wide document; each viewer's figures count only the items in their own scope.
    visible = set(Hazard.objects.visible_to(request.user).filter(
        pk__in={i["hazard"] for b in circulars for i in b.items}).values_list("pk", flat=True))
    for b in circulars:
        items = [i for i in b.items if i["hazard"] in visible]
        b.visible_open, b.visible_overdue = len(items), sum(1 for i in items if i["overdue"])
    return render(request, "hazards/circular_list.html", {
        "circulars": circulars, "can_generate": request.user.has_role(Role.OFFICE)})


@roles_required(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
def circular_detail(request: HttpRequest, pk: int) -> HttpResponse:
    circular = SupervisionCircular.objects.filter(pk=pk).first()
    if circular is None:
        raise Http404
    # A circular is a government document; each viewer sees the items of the hazards in their own scope.
    visible = set(Hazard.objects.visible_to(request.user).filter(
        pk__in=[i["hazard"] for i in circular.items]).values_list("pk", flat=True))
    items = [i for i in circular.items if i["hazard"] in visible]
    return render(request, "hazards/print/circular.html", {"circular": circular, "items": items,
                                                           "overdue": [i for i in items if i["overdue"]]})
