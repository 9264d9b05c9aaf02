"""督办阶梯 configuration (campaign office)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.forms import add_service_error
from core.permissions import roles_required
from escalation import services
from escalation.forms import LadderForm, StepFormSet
from escalation.models import EscalationLadder
from escalation.registry import SOURCES
from escalation.views.board import BOARD_ROLES


@roles_required(*BOARD_ROLES)
def ladder_list(request: HttpRequest) -> HttpResponse:
    ladders = EscalationLadder.objects.annotate(n=Count("steps")).prefetch_related("steps")
    usage: dict[str, list[str]] = {}
    for source in SOURCES.values():
        ladder = services.ladder_for(source)
        usage.setdefault(ladder.code if ladder else "", []).append(source.label)
    return render(request, "escalation/ladders.html", {
        "ladders": ladders, "usage": usage, "can_edit": request.user.has_role(Role.OFFICE),
        "flag_only": usage.get("", []),
    })


@roles_required(Role.OFFICE)
def ladder_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ladder = get_object_or_404(EscalationLadder, pk=pk) if pk else None
    form = LadderForm(request.POST or None, instance=ladder)
    formset = StepFormSet(request.POST or None, instance=ladder or EscalationLadder(), prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = []
        for f in formset.forms:
            if not f.has_changed() and not f.instance.pk:
                continue
            if f.cleaned_data.get("DELETE"):
                continue
            data = {k: f.cleaned_data[k] for k in services.STEP_FIELDS}
            data["id"] = f.instance.pk
            steps.append(data)
        try:
            saved = services.ladder_save(actor=request.user, ladder=ladder, values=form.cleaned_data, steps=steps)
            messages.success(request, _("已保存督办阶梯：%(n)s") % {"n": saved.name})
            return redirect("escalation:ladders")
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    return render(request, "escalation/ladder_form.html", {"form": form, "formset": formset, "ladder": ladder})
