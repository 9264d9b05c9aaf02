from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.forms import add_service_error
from core.permissions import business_required, roles_required
from orgs import services
from orgs.forms import AliasForm
from orgs.models import Jurisdiction, Unit, UnitAlias


@business_required
def structure(request: HttpRequest) -> HttpResponse:
    nodes = Jurisdiction.objects.visible_to(request.user).order_by("path")
    units = (Unit.objects.visible_to(request.user).filter(collective=False)
             .select_related("jurisdiction", "parent").prefetch_related("domains", "aliases").order_by("kind", "sort"))
    return render(request, "orgs/structure.html", {"nodes": nodes, "units": units})


@roles_required(Role.OFFICE)
def aliases(request: HttpRequest) -> HttpResponse:
    """The office's list of unit spellings (aliases), and a form to map a spelling to a unit or create the unit:
    what a task table import asks for when it meets a name it cannot resolve."""
    units = Unit.objects.visible_to(request.user).filter(active=True).order_by("kind", "sort", "name")
    initial = {"alias": request.GET.get("alias", "")[:120], "next": request.GET.get("next", "")}
    form = AliasForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = data["unit"]
            if unit is None:
                unit = services.unit_create_by_office(actor=request.user, name=data["new_name"], kind=data["new_kind"],
                                                      jurisdiction=_own_territory(request.user))
            if data["alias"].strip() != unit.name:
                services.alias_add(actor=request.user, unit=unit, alias=data["alias"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存：“%(a)s”对应“%(u)s”。") % {"a": data["alias"], "u": unit.name})
            nxt = data.get("next") or ""
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                       require_https=request.is_secure()):
                return redirect(nxt)
            return redirect("orgs:aliases")
    rows = (UnitAlias.objects.filter(unit__in=units).select_related("unit").order_by("unit__kind", "unit__sort",
                                                                                       "alias"))
    return render(request, "orgs/aliases.html", {"form": form, "aliases": rows})


def _own_territory(user: Any) -> Jurisdiction:
    """Where the office creates a unit: its own unit's territory."""
    unit = getattr(user, "unit", None)
    if unit is None:
        raise PermissionDenied(_("您的账号未关联单位，不能新建单位。"))
    return unit.jurisdiction
