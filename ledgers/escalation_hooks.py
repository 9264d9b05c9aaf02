"""Who is reminded about a lapsing ledger date: the enterprise's own accounts act; the township of its
territory and the departments that regulate it supervise."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
from orgs.models import Unit


def _enterprise(row: Any) -> Any:
    return getattr(row, "enterprise", None)


def responsible(row: Any) -> dict[str, tuple]:
    ent = _enterprise(row)
    if ent is None:  # a row a territorial unit fills (user-defined ledger)
        units = tuple(Unit.objects.filter(jurisdiction_id=row.jurisdiction_id, kind__in=TERRITORIAL_UNIT_KINDS,
                                          active=True))
        return {"units": units, "users": ()}
    users = tuple(User.objects.filter(enterprise_id=ent.pk, is_active=True))
    return {"units": (ent.unit,) if ent.unit_id else (), "users": users}


def supervisors(row: Any) -> dict[str, tuple]:
    ent = _enterprise(row)
    if ent is None:
        return {"units": (), "users": ()}
    territorial = Unit.objects.filter(jurisdiction_id=ent.jurisdiction_id, kind__in=TERRITORIAL_UNIT_KINDS,
                                      active=True)
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True, pk__in=ent.departments.values("pk"))
    return {"units": tuple(dict.fromkeys([*territorial, *departments])), "users": ()}
