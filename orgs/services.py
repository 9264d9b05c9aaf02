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


# -- the campaign office: spellings of units as documents write them ---------------------------------
def _require_office(actor: Any) -> None:
    from accounts.choices import Role

    if actor is not None and not (actor.has_role(Role.OFFICE) or actor.has_role(Role.SYSADMIN)):
        raise PermissionDenied(_("只有安委办可以维护单位别名。"))


@transaction.atomic
def alias_add(*, actor: Any, unit: Unit, alias: str) -> UnitAlias:
    """Keep ``alias`` (a spelling a task table used) as another name of ``unit``, for every later import."""
    _require_office(actor)
    alias = (alias or "").strip()
    if not alias:
        raise ValidationError({"alias": _("请填写别名。")})
    if len(alias) > UnitAlias._meta.get_field("alias").max_length:
        raise ValidationError({"alias": _("别名过长。")})
    if alias == unit.name:
        raise ValidationError({"alias": _("别名与单位名称相同，无需添加。")})
    if Unit.objects.filter(name=alias).exclude(pk=unit.pk).exists():
        raise ValidationError({"alias": _("“%(a)s”是另一个单位的名称，不能作为别名。") % {"a": alias}})
    found = UnitAlias.objects.filter(unit=unit, alias=alias).first()
    if found is not None:
        return found
    row = UnitAlias.objects.create(unit=unit, alias=alias)
    audit.record(action="orgs.alias_add", obj=unit, changes={"alias": [None, alias]})
    return row


@transaction.atomic
def alias_remove(*, actor: Any, alias: UnitAlias) -> None:
    _require_office(actor)
    audit.record(action="orgs.alias_remove", obj=alias.unit, changes={"alias": [alias.alias, None]})
    alias.delete()


@transaction.atomic
def unit_create_by_office(*, actor: Any, name: str, kind: str, jurisdiction: Jurisdiction) -> Unit:
    """A unit a task table names that the system does not have yet (国网湘乡市供电公司), created by the office
    in its own territory."""
    from core.scoping import scope_for
    from orgs.choices import UnitKind

    _require_office(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写单位名称。")})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("请选择单位类别。")})
    if Unit.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有名为“%(n)s”的单位。") % {"n": name}})
    if actor is not None and not scope_for(actor).covers_path(jurisdiction.path):
        raise PermissionDenied(_("只能在本辖区内添加单位。"))
    unit = Unit.objects.create(name=name, kind=kind, jurisdiction=jurisdiction, jurisdiction_path=jurisdiction.path,
                               sort=9000)
    audit.record(action="orgs.create", obj=unit, changes=audit.diff({}, audit.snapshot(unit, U_FIELDS)))
    return unit
