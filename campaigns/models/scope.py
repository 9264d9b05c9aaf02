"""Who sees campaign rows. Tasks are assigned to *units*, not to territory, so besides the
territorial / domain keys a task is visible to the units linked to it: ``Scope.unit_ids``
(the user's own unit, or an enterprise account's linked unit, ``Enterprise.unit``)."""

from __future__ import annotations

from typing import Any

from core.scoping import scope_for


def user_unit_ids(user: Any) -> tuple[int, ...]:
    """The units a user acts for (reports, lists and readings are made for one of them)."""
    return scope_for(user).unit_ids
