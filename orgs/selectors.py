from __future__ import annotations

from typing import Any

from django.db.models import Q

from orgs.models import Boundary, Unit, UnitAlias


def resolve_units(name: str) -> list[Unit]:
    """All units a spelling names: the unit of that name, or every unit with that alias."""
    text = (name or "").strip()
    if not text:
        return []
    exact = list(Unit.objects.filter(name=text))
    if exact:
        return exact
    return list(Unit.objects.filter(Q(aliases__alias=text)).distinct().order_by("sort", "name"))


class UnitDirectory:
    """Every unit's name and aliases read once (two queries), resolving a spelling exactly as
    :func:`resolve_units` does: for an import that resolves thousands of different cells."""

    def __init__(self) -> None:
        units = {u.pk: u for u in Unit.objects.all()}  # in the order of resolve_units' alias matches (sort, name)
        self._names = {u.name: u for u in units.values()}
        linked: dict[str, set[int]] = {}
        for alias, unit_id in UnitAlias.objects.values_list("alias", "unit_id"):
            linked.setdefault(alias, set()).add(unit_id)
        rank = {pk: i for i, pk in enumerate(units)}
        self._aliases = {alias: [units[pk] for pk in sorted(ids, key=rank.__getitem__)]
                         for alias, ids in linked.items()}

    def resolve(self, name: str) -> list[Unit]:
        text = (name or "").strip()
        if not text:
            return []
        unit = self._names.get(text)
        return [unit] if unit is not None else list(self._aliases.get(text, ()))


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
