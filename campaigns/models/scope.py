"""Who sees campaign rows. Tasks are assigned to *units*, not to territory, so besides the
territorial / domain keys of ``core.scoping`` a task is visible to the units linked to it."""

from __future__ import annotations

from typing import Any

from core.scoping import Scope, scope_for


def user_unit_ids(user: Any) -> tuple[int, ...]:
    """The units a user acts for: their own unit, or for an enterprise account the unit of
    the same name (an enterprise named as a responsible unit in a plan)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_campaign_unit_ids", None)
    if cached is not None:
        return cached
    ids: tuple[int, ...] = ()
    if user.has_business_role:
        if user.unit_id and user.unit.active:
            ids = (user.unit_id,)
        elif getattr(user, "enterprise_id", None):
            from orgs.models import Unit

            ids = tuple(Unit.objects.filter(name=user.enterprise.name, active=True).values_list("pk", flat=True))
    user._campaign_unit_ids = ids
    return ids


def scope_and_units(user: Any) -> tuple[Scope, tuple[int, ...]]:
    return scope_for(user), user_unit_ids(user)
