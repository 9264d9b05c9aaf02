"""Writes to the organisation structure (system administrator, loaders)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from core import audit
from core.registry import PATH_MODELS
from orgs.models import Domain, Jurisdiction, Unit, UnitAlias

J_FIELDS = ["name", "code", "level", "parent", "synthetic", "sort"]
U_FIELDS = ["name", "kind", "jurisdiction", "parent", "collective", "synthetic", "active", "sort", "domains"]


def _require_sysadmin(actor: Any) -> None:
    from accounts.choices import Role

    if actor is not None and not actor.has_role(Role.SYSADMIN):
        raise PermissionDenied(_("只有系统管理员可以维护组织机构。"))


@transaction.atomic
def domain_save(*, actor: Any, code: str, name: str, short_name: str, kind: str, sort: int = 0) -> Domain:
    _require_sysadmin(actor)
    domain = Domain.objects.filter(code=code).first()
    before = audit.snapshot(domain, ["code", "name", "short_name", "kind", "sort"]) if domain else {}
    if domain is None:
        domain = Domain(code=code)
    domain.name, domain.short_name, domain.kind, domain.sort = name, short_name, kind, sort
    domain.save()
    changes = audit.diff(before, audit.snapshot(domain, ["code", "name", "short_name", "kind", "sort"]))
    if changes:
        audit.record(action="orgs.update" if before else "orgs.create", obj=domain, changes=changes)
    return domain


def _repath(node: Jurisdiction, new_parent: Jurisdiction | None) -> None:
    old = node.path
    new = (new_parent.path if new_parent else "/") + f"{node.pk}/"
    if old == new:
        return
    if new_parent is not None and new_parent.path.startswith(old):
        raise ValidationError({"parent": _("不能把区划移到它自己的下级之下。")})
    shift = new_parent.depth + 1 - node.depth if new_parent else -node.depth
    Jurisdiction.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", len(old) + 1)), depth=F("depth") + shift)
    for model, field in PATH_MODELS:
        model.objects.filter(**{f"{field}__startswith": old}).update(
            **{field: Concat(Value(new), Substr(field, Length(Value(old)) + 1))})


@transaction.atomic
def jurisdiction_save(*, actor: Any, code: str, name: str, level: str, parent: Jurisdiction | None,
                      synthetic: bool = False, sort: int = 0) -> Jurisdiction:
    """Create or update the node with this code (idempotent, so loaders can re-run)."""
    _require_sysadmin(actor)
    node = Jurisdiction.objects.select_for_update().filter(code=code).first()
    before = audit.snapshot(node, J_FIELDS) if node else {}
    if node is None:
        node = Jurisdiction(code=code, path=f"/new-{code}/")
    old_parent_id = node.parent_id
    node.name, node.level, node.parent, node.synthetic, node.sort = name, level, parent, synthetic, sort
    if Jurisdiction.objects.exclude(pk=node.pk).filter(parent=parent, name=name).exists():
        raise ValidationError({"name": _("同一上级下已有名为“%(n)s”的区划。") % {"n": name}})
    node.save()
    if not before:
        node.path = (parent.path if parent else "/") + f"{node.pk}/"
        node.depth = parent.depth + 1 if parent else 0
        node.save(update_fields=["path", "depth"])
    elif old_parent_id != node.parent_id:
        _repath(node, parent)
        node.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(node, J_FIELDS))
    if changes:
        audit.record(action="orgs.update" if before else "orgs.create", obj=node, changes=changes)
    return node


@transaction.atomic
def unit_save(*, actor: Any, name: str, kind: str, jurisdiction: Jurisdiction, parent: Unit | None = None,
              domains: Iterable[Domain] = (), aliases: Iterable[str] = (), collective: bool = False,
              synthetic: bool = False, active: bool = True, sort: int = 0) -> Unit:
    """Create or update the unit with this name, its regulated domains and its aliases."""
    _require_sysadmin(actor)
    unit = Unit.objects.select_for_update().filter(name=name).first()
    before = audit.snapshot(unit, U_FIELDS) | {"aliases": sorted(unit.aliases.values_list("alias", flat=True))} if unit else {}
    if unit is None:
        unit = Unit(name=name)
    unit.kind, unit.jurisdiction, unit.parent = kind, jurisdiction, parent
    unit.jurisdiction_path = jurisdiction.path
    unit.collective, unit.synthetic, unit.active, unit.sort = collective, synthetic, active, sort
    unit.save()
    unit.domains.set(list(domains))
    wanted = {a.strip() for a in aliases if a and a.strip() and a.strip() != name}
    unit.aliases.exclude(alias__in=wanted).delete()
    existing = set(unit.aliases.values_list("alias", flat=True))
    UnitAlias.objects.bulk_create([UnitAlias(unit=unit, alias=a) for a in sorted(wanted - existing)])
    after = audit.snapshot(unit, U_FIELDS) | {"aliases": sorted(wanted)}
    changes = audit.diff(before, after)
    if changes:
        audit.record(action="orgs.update" if before else "orgs.create", obj=unit, changes=changes)
    return unit
