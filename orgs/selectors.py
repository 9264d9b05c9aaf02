from __future__ import annotations

from django.db.models import Q

from orgs.models import Unit


def resolve_units(name: str) -> list[Unit]:
    """All units a spelling names: the unit of that name, or every unit with that alias."""
    text = (name or "").strip()
    if not text:
        return []
    exact = list(Unit.objects.filter(name=text))
    if exact:
        return exact
    return list(Unit.objects.filter(Q(aliases__alias=text)).distinct().order_by("sort", "name"))
