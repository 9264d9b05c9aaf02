"""Which template a document uses, and who may keep one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.functions import Length

from accounts.choices import Role
from documents.models import DocumentTemplate, TemplateState
from documents.registry import DocumentType
from orgs.choices import UnitKind
from orgs.models import Unit


def active_template(key: str, owners: Sequence[Any]) -> DocumentTemplate | None:
    """The active template of the first of ``owners`` (units, most specific first) that has one."""
    ids = [u.pk for u in owners if u is not None]
    if not ids:
        return None
    found = {t.unit_id: t for t in DocumentTemplate.objects.filter(doc_type=key, state=TemplateState.ACTIVE,
                                                                   unit_id__in=ids)}
    return next((found[i] for i in ids if i in found), None)


def offices_covering(path: str) -> list[Unit]:
    """The campaign offices whose territory holds ``path`` (a jurisdiction path), the nearest first."""
    parts = [p for p in (path or "").strip("/").split("/") if p]
    prefixes = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    if not prefixes:
        return []
    return list(Unit.objects.filter(kind=UnitKind.OFFICE, active=True, jurisdiction_path__in=prefixes)
                .order_by(-Length("jurisdiction_path"), "sort", "name"))


def managed_unit(user: Any, doc_type: DocumentType | None = None) -> Unit | None:
    """The unit whose templates ``user`` may upload and switch: a campaign office's own unit (its versions serve
    the county's documents), a regulator's own department (for the department's documents). None otherwise."""
    unit = getattr(user, "unit", None)
    if unit is None or not unit.active or not getattr(user, "is_active", False):
        return None
    kinds = doc_type.owner_kinds if doc_type is not None else (UnitKind.OFFICE, UnitKind.DEPARTMENT)
    if unit.kind == UnitKind.OFFICE and UnitKind.OFFICE in kinds and user.has_role(Role.OFFICE):
        return unit
    if unit.kind == UnitKind.DEPARTMENT and UnitKind.DEPARTMENT in kinds and user.has_role(Role.REGULATOR):
        return unit
    return None


def viewer_path(user: Any) -> str:
    unit = getattr(user, "unit", None)
    enterprise = getattr(user, "enterprise", None)
    return (unit.jurisdiction_path if unit is not None else "") or (
        enterprise.jurisdiction_path if enterprise is not None else "")


def viewer_owners(user: Any, doc_type: DocumentType, offices: list[Unit] | None = None) -> list[Unit]:
    """The units whose template would serve ``user``'s own documents: their own unit when they keep
    templates, then the offices over their territory (``offices``, when the caller already has them)."""
    own = managed_unit(user, doc_type)
    if UnitKind.OFFICE not in doc_type.owner_kinds:
        offices = []
    elif offices is None:
        offices = offices_covering(viewer_path(user))
    return list(dict.fromkeys([u for u in (own, *offices) if u is not None]))
