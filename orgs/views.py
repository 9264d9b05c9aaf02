from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.permissions import business_required
from orgs.models import Jurisdiction, Unit


@business_required
def structure(request: HttpRequest) -> HttpResponse:
    nodes = Jurisdiction.objects.visible_to(request.user).order_by("path")
    units = (Unit.objects.visible_to(request.user).filter(collective=False)
             .select_related("jurisdiction", "parent").prefetch_related("domains", "aliases").order_by("kind", "sort"))
    return render(request, "orgs/structure.html", {"nodes": nodes, "units": units})
