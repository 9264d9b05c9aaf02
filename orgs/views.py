from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.export import download
from core.filters import parse_id
from core.forms import add_service_error
from core.paging import page_of
from core.permissions import business_required, roles_required
from orgs import services
from orgs.choices import UnitKind
from orgs.forms import AliasForm
from orgs.models import Jurisdiction, Unit, UnitAlias
from orgs.selectors import boundaries_for


@business_required
def structure(request: HttpRequest) -> HttpResponse:
    """The directory, browsed: one level of the territorial tree at a time (a province holds tens of thousands of
    villages; the page shows a node's ancestors and its children with how many each has) and the units paged and
    searchable (a province has thousands)."""
    nodes = Jurisdiction.objects.visible_to(request.user)
    node = nodes.filter(pk=parse_id(request.GET.get("node")) or 0).first()
    children = (nodes.filter(parent=node) if node is not None else nodes.filter(parent__isnull=True))
    children = children.annotate(below=Count("children")).order_by("sort", "path")
    trail = list(node.ancestors()) if node is not None else []
    q = (request.GET.get("q") or "").strip()[:60]
    kind = request.GET.get("kind") or ""
    units = Unit.objects.visible_to(request.user).filter(collective=False)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(aliases__alias__icontains=q)).distinct()
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    units = (units.select_related("jurisdiction", "parent").prefetch_related("domains", "aliases")
             .order_by("kind", "sort", "pk"))
    page = page_of(units, 50, request.GET.get("page"), search=bool(q))
    return render(request, "orgs/structure.html", {
        "node": node, "trail": trail, "children": children[:500], "page": page, "units": page.object_list,
        "q": q, "kind": kind, "kinds": UnitKind.choices})


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


@roles_required(Role.OFFICE)
def boundaries(request: HttpRequest) -> HttpResponse:
    """辖区边界: the outlines drawn on the regulators' maps; the office replaces the shipped stand-in with its own."""
    from orgs import boundaries as geo
    from orgs.forms import BoundaryUploadForm

    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(geo.MAX_BYTES + 1)
        try:
            written, problems = geo.boundaries_save(actor=request.user, raw=raw, source=upload.name)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            if not problems:
                messages.success(request, _("已保存 %(n)s 个辖区边界（其余与原有相同）。") % {"n": len(written)})
                return redirect("orgs:boundaries")
    rows = boundaries_for(request.user)
    return render(request, "orgs/boundaries.html", {"form": form, "problems": problems, "rows": rows})


@roles_required(Role.OFFICE)
@download("geojson", user_text=False)
def boundaries_download(request: HttpRequest) -> HttpResponse:
    import json

    from core.export import file_response
    from orgs import boundaries as geo


    body = json.dumps(geo.as_feature_collection(boundaries_for(request.user)), ensure_ascii=False)
    return file_response(body.encode("utf-8"), "辖区边界.geojson")
