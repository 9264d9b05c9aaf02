"""One hazard: register (phone-friendly), detail with timeline and photos, edit, plan, moves, files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.forms import add_service_error, add_service_message
from core.models import ChangeEvent
from core.permissions import business_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for, held_files, hold_files
from hazards import services, workflow
from hazards.choices import PLAN_DRAFT, PLAN_EDITABLE, Grade
from hazards.forms import AttachForm, HazardEditForm, HazardRegisterForm, PlanForm, TransitionForm
from hazards.models import Hazard, RectificationPlan, Supervision
from hazards.supervision import may_list


def _hazards() -> QuerySet:
    return Hazard.objects.select_related("enterprise", "jurisdiction", "domain", "supervisor_unit", "finder",
                                         "finder_unit")


@business_required
def hazard_create(request: HttpRequest) -> HttpResponse:
    form = HazardRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    held = request.POST.get("held_photos", "") if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("photos") and held:  # the photos of the refused attempt, unless new ones were chosen
            data["photos"] = held_files(request.user, held)
        data["grade"] = data.get("grade") or None
        for key in ("place", "location", "criterion", "criterion_ref", "reporter", "report_cause", "report_analysis"):
            data[key] = data.get(key) or ""
        try:
            hazard = services.hazard_register(actor=request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记隐患 %(n)s。") % {"n": hazard.number})
            return redirect("hazards:detail", pk=hazard.pk)
    held_names: list[str] = []
    if request.method == "POST":  # refused: keep the photos so that nobody has to take them again
        chosen = request.FILES.getlist("photos")
        if chosen:
            held, held_names = hold_files(request.user, chosen)
        else:
            held_names = [f.name for f in held_files(request.user, held)]
            held = held if held_names else ""
    return render(request, "hazards/hazard_form.html", {"form": form, "held": held, "held_names": held_names})


@business_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hazard = get_visible_or_404(_hazards(), user, pk=pk)
    plan = RectificationPlan.objects.filter(hazard=hazard).first()
    files = list(attachments_for(hazard).select_related("uploaded_by"))
    moves = []
    for to, move in workflow.available_moves(user, hazard):
        form = TransitionForm(initial={"to": to, "grade": hazard.grade})
        moves.append({"to": to, "move": move, "form": form})
    supervision = (Supervision.objects.filter(hazard=hazard).select_related("supervising_unit", "assigning_unit",
                                                                             "template")
                   .prefetch_related("records", "template__steps").first())
    today = timezone.localdate()
    left = hazard.review_days_left(today)
    return render(request, "hazards/hazard_detail.html", {
        "hazard": hazard, "plan": plan, "moves": moves, "today": today,
        "plan_missing": plan.missing(major=hazard.grade == Grade.MAJOR) if plan else None,
        "before": [f for f in files if f.role == "before"], "after": [f for f in files if f.role == "after"],
        "documents": [f for f in files if f.role not in ("before", "after")],
        "events": hazard.events.select_related("actor"),
        "supervision": supervision,
        "history": ChangeEvent.objects.for_object(hazard)[:100],
        "can_edit": not hazard.is_frozen and workflow.may_edit(user, hazard),
        "can_plan": hazard.status in PLAN_EDITABLE and workflow.is_responsible(user, hazard),
        "can_list": hazard.grade == Grade.MAJOR and hazard.is_open and may_list(user, hazard)
        and not (supervision and supervision.removed_at is None),
        "attach_form": AttachForm(),
        "review_days_left": left,
        "review_late_days": -left if left is not None and left < 0 else 0,
        "is_enterprise_user": user.has_role(Role.ENTERPRISE),
        "can_supervise": may_list(user, hazard),
        "is_acceptor": workflow.is_acceptor(user, hazard),
    })


@business_required
def hazard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(_hazards(), request.user, pk=pk)
    if hazard.is_frozen:
        messages.error(request, _("隐患已%(s)s，不能再修改。") % {"s": hazard.get_status_display()})
        return redirect("hazards:detail", pk=hazard.pk)
    if not workflow.may_edit(request.user, hazard):
        raise PermissionDenied
    form = HazardEditForm(request.POST or None, instance=hazard)
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_update(actor=request.user, hazard=hazard,
                                   **{k: form.cleaned_data[k] for k in form.fields})
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/hazard_edit.html", {"form": form, "hazard": hazard})


@business_required
def hazard_plan(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(_hazards(), request.user, pk=pk)
    if hazard.status not in PLAN_EDITABLE or not workflow.is_responsible(request.user, hazard):
        messages.error(request, _("整改方案由整改责任单位在开始整改前填写。"))
        return redirect("hazards:detail", pk=hazard.pk)
    plan = RectificationPlan.objects.filter(hazard=hazard).first() or RectificationPlan(hazard=hazard)
    form = PlanForm(request.POST or None, instance=plan, major=hazard.grade == Grade.MAJOR,
                    confirmed=hazard.status not in PLAN_DRAFT)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(actor=request.user, hazard=hazard, **{k: form.cleaned_data[k] for k in form.fields})
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("整改方案已保存。"))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/plan_form.html", {"form": form, "hazard": hazard,
                                                      "major": hazard.grade == Grade.MAJOR})


@require_POST
@business_required
def hazard_transition(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(_hazards(), request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)})
        return redirect("hazards:detail", pk=hazard.pk)
    to = form.cleaned_data["to"]
    try:
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=request.user,
                                            note=form.cleaned_data.get("note") or "", **form.data_for_service())
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        last = hazard.events.order_by("-at", "-pk").first()
        messages.success(request, _("已办理：%(a)s。") % {"a": last.label if last else hazard.get_status_display()})
    return redirect("hazards:detail", pk=hazard.pk)


@require_POST
@business_required
def hazard_attach(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_visible_or_404(_hazards(), request.user, pk=pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.hazard_attach(actor=request.user, hazard=hazard, file=form.cleaned_data["file"],
                                   role=form.cleaned_data["role"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_message(request, exc)
        else:
            messages.success(request, _("已上传。"))
    else:
        messages.error(request, _("请选择要上传的文件和用途。"))
    return redirect("hazards:detail", pk=hazard.pk)
