"""The lapsing ledger dates (``ledgers.lapsing.KINDS``) as deadline sources of the shared escalation engine.

Who is reminded about a lapsing ledger date: the enterprise's own accounts act; the township of its
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


def register() -> bool:
    """Hand every kind to the shared escalation engine, when it is installed."""
    try:
        from escalation.registry import (  # type: ignore[attr-defined]
            CountKeys,
            DeadlineSource,
            Recipients,
            register_source,
        )
    except ImportError:
        return False
    from enterprises.models.base import EnterpriseScoped, enterprise_links
    from ledgers.lapsing import KINDS

    row_rule = EnterpriseScoped.scope_q.__func__  # a ledger of its own rule (custom rows) is asked of its rows

    for kind in KINDS:
        # Reminders in working days: about a month ahead, then a week, then the day before.
        before = (22, 5, 1) if kind.remind_before >= 30 else (1,) if kind.remind_before else ()
        # Ledger rows lapse by the calendar and are edited by imports and forms alike: the worker's standing
        # counts. The domain arm is the enterprise's links (departments are counted directly).
        register_source(DeadlineSource(
            counts=CountKeys(domain_links=enterprise_links if kind.model.scope_q.__func__ is row_rule else None),
            key=f"ledgers.{kind.key}", label=str(kind.label), model=kind.model,
            open_items=lambda _k=kind: _k.open_items(), due_field=kind.due_field, title=kind.title, url=kind.url,
            responsible=lambda row: Recipients(**responsible(row)),
            supervisors=lambda row: Recipients(**supervisors(row)),
            remind_before=before, ladder="expiry", kind_label=kind.kind_label))
    return True
