from __future__ import annotations

from typing import Any

from django.db.models import Q

from orgs.models import Boundary, Unit


def resolve_units(name: str) -> list[Unit]:
    """All units a spelling names: the unit of that name, or every unit with that alias."""
    text = (name or "").strip()
    if not text:
        return []
    exact = list(Unit.objects.filter(name=text))
    if exact:
        return exact
    return list(Unit.objects.filter(Q(aliases__alias=text)).distinct().order_by("sort", "name"))


def boundaries_for(user: Any) -> list[Boundary]:
    """The boundaries of the jurisdictions in the user's own territories, a department's included (the directory is
    readable by everyone; pages and maps keep to the user's territory so a township does not draw the province)."""
    from core.scoping import scope_for

    scope = scope_for(user)
    within = Q()
    for path in {*scope.territories, *(grant.path for grant in scope.domain_grants)}:
        within |= Q(jurisdiction__path__startswith=path)
    if not within:
        return []
    return list(Boundary.objects.visible_to(user).filter(within).select_related("jurisdiction")
                .order_by("jurisdiction__path"))
