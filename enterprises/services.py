"""Enterprise writes. Scope is checked before and re-checked after every write (house style 9)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.pinyin import search_text
from core.scoping import scope_for
from enterprises import tally
from enterprises.choices import RISK_FLAG_FIELDS
from enterprises.credit_code import CreditCodeError, validate_credit_code
from enterprises.industry import IndustryCodeError, validate_industry_code
from enterprises.models import Enterprise, EnterpriseDomain, Licence, domain_key, rekey_enterprise_rows
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit

FIELDS = ["name", "credit_code", "jurisdiction", "industry_code", "address", "legal_representative", "principal",
          "safety_manager", "phone", "employees", "above_scale", "longitude", "latitude", "synthetic",
          "principal_user", "safety_manager_user", *RISK_FLAG_FIELDS]
# What an enterprise account may change on its own record; territory, domains, flags and the code are the
# regulators'.
SELF_EDITABLE = {"address", "legal_representative", "principal", "safety_manager", "phone", "employees",
                 "longitude", "latitude", "principal_user", "safety_manager_user"}
GOVERNMENT_EDITORS = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)
# Audited on every create and update: the fields, the links, and the unit the enterprise answers for in plans.
AUDITED = [*FIELDS, "domains", "departments", "unit"]
UNCHANGED: Any = object()


def _check_can_place(actor: Any, jurisdiction: Jurisdiction, domains: Iterable[Domain]) -> None:
    """The new/changed enterprise must lie inside the actor's own scope."""
    if actor is None:  # command-line loaders run as the system
        return
    scope = scope_for(actor)
    domain_ids = {d.pk for d in domains}
    if scope.covers_path(jurisdiction.path):
        return
    for grant in scope.domain_grants:
        if jurisdiction.path.startswith(grant.path) and domain_ids & set(grant.domain_ids):
            return
    raise PermissionDenied(_("该企业不在您的管辖范围内（属地或行业）。"))


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("请填写企业名称。")
    try:
        values["credit_code"] = validate_credit_code(values.get("credit_code") or "")
    except CreditCodeError as exc:
        errors["credit_code"] = str(exc)
    try:
        values["industry_code"] = validate_industry_code(values.get("industry_code") or "")
    except IndustryCodeError as exc:
        errors["industry_code"] = str(exc)
    if values.get("jurisdiction") is None:
        errors["jurisdiction"] = _("请选择属地。")
    lon, lat = values.get("longitude"), values.get("latitude")
    if lon is not None and not (73 <= float(lon) <= 136):
        errors["longitude"] = _("经度应在 73 到 136 之间（中国境内）。")
    if lat is not None and not (3 <= float(lat) <= 54):
        errors["latitude"] = _("纬度应在 3 到 54 之间（中国境内）。")
    if errors:
        raise ValidationError(errors)
    values["name"] = values["name"].strip()
    ent_id = values.get("_pk")
    for key in ("principal_user", "safety_manager_user"):
        user = values.get(key)
        if user is not None and (ent_id is None or user.enterprise_id != ent_id):
            raise ValidationError({key: _("只能指定本企业的账号。")})
    values.pop("_pk", None)
    return values


def _set_departments(enterprise: Enterprise, departments: Iterable[Unit]) -> None:
    departments = list(departments)
    bad = [u.name for u in departments if u.kind != UnitKind.DEPARTMENT]
    if bad:
        raise ValidationError({"departments": _("监管部门只能是部门：%(n)s") % {"n": "、".join(bad)}})
    enterprise.departments.set(departments)


def _set_unit(enterprise: Enterprise, unit: Unit | None) -> None:
    """Link the enterprise to the unit a plan names it as (企业 kind): its accounts then act for that unit (the
    tasks and lists assigned to it). The link, not the name, decides: renaming either changes nothing."""
    if unit is not None:
        if unit.kind != UnitKind.ENTERPRISE or unit.collective:
            raise ValidationError({"unit": _("只能关联类别为企业的具体责任单位：%(n)s") % {"n": unit.name}})
        other = Enterprise.objects.filter(unit=unit).exclude(pk=enterprise.pk).first()
        if other is not None:
            raise ValidationError({"unit": _("责任单位“%(u)s”已关联企业“%(e)s”。") % {"u": unit.name, "e": other.name}})
    enterprise.unit = unit
    enterprise.save(update_fields=["unit"])


def _set_domains(enterprise: Enterprise, domains: Iterable[Domain]) -> None:
    wanted = {d.pk for d in domains}
    current = set(EnterpriseDomain.objects.filter(enterprise=enterprise).values_list("domain_id", flat=True))
    EnterpriseDomain.objects.filter(enterprise=enterprise, domain_id__in=current - wanted).delete()
    EnterpriseDomain.objects.bulk_create([EnterpriseDomain(enterprise=enterprise, domain_id=d) for d in wanted - current])


@transaction.atomic
def enterprise_create(*, actor: Any, domains: Iterable[Domain] = (), departments: Iterable[Unit] = (),
                      unit: Unit | None = None, **values: Any) -> Enterprise:
    if actor is not None and not actor.has_role(*GOVERNMENT_EDITORS):
        raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以新增企业。"))
    domains = list(domains)
    values = _validate({k: v for k, v in values.items() if k in FIELDS})
    if Enterprise.objects.filter(credit_code=values["credit_code"]).exists():
        raise ValidationError({"credit_code": _("统一社会信用代码 %(c)s 已登记。") % {"c": values["credit_code"]}})
    _check_can_place(actor, values["jurisdiction"], domains)
    enterprise = Enterprise(**values)
    enterprise.jurisdiction_path = enterprise.jurisdiction.path
    enterprise.search_text = search_text(enterprise.name)
    enterprise.save()
    _set_domains(enterprise, domains)
    _set_departments(enterprise, departments)
    if unit is not None:
        _set_unit(enterprise, unit)
    tally.added([(enterprise.jurisdiction_path, domain_key(d.pk for d in domains), enterprise.credit_class)])
    audit.record(action="enterprises.create", obj=enterprise, changes=audit.diff({}, audit.snapshot(enterprise, AUDITED)))
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: Any, enterprise: Enterprise, domains: Iterable[Domain] | None = None,
                      departments: Iterable[Unit] | None = None, unit: Unit | None = UNCHANGED,
                      **values: Any) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    counted = tally.states([enterprise.pk])  # under the lock just taken: where the enterprise is counted
    if actor is not None:
        # A grant lets an inspector see an enterprise, never change it.
        if not Enterprise.objects.visible_to(actor, grants=False).filter(pk=enterprise.pk).exists():
            raise PermissionDenied(_("该企业不在您的管辖范围内。"))
        if not actor.has_role(*GOVERNMENT_EDITORS):
            if not (actor.has_role(Role.ENTERPRISE) and actor.enterprise_id == enterprise.pk):
                raise PermissionDenied(_("您没有修改该企业信息的权限。"))
            changed = {k for k, v in values.items() if getattr(enterprise, k) != v}
            if domains is not None and {d.pk for d in domains} != set(enterprise.domains.values_list("pk", flat=True)):
                changed.add("domains")
            if departments is not None and {u.pk for u in departments} != set(
                    enterprise.departments.values_list("pk", flat=True)):
                changed.add("departments")
            if unit is not UNCHANGED and getattr(unit, "pk", None) != enterprise.unit_id:
                changed.add("unit")
            if changed - SELF_EDITABLE:
                raise PermissionDenied(_("企业账号不能修改属地、行业、名称和信用代码，请联系属地或监管部门。"))
    before = audit.snapshot(enterprise, AUDITED)
    merged = {f: getattr(enterprise, f) for f in FIELDS}
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    merged["_pk"] = enterprise.pk
    merged = _validate(merged)
    if Enterprise.objects.exclude(pk=enterprise.pk).filter(credit_code=merged["credit_code"]).exists():
        raise ValidationError({"credit_code": _("统一社会信用代码 %(c)s 已登记。") % {"c": merged["credit_code"]}})
    for key, value in merged.items():
        setattr(enterprise, key, value)
    old_path = enterprise.jurisdiction_path
    enterprise.jurisdiction_path = enterprise.jurisdiction.path
    enterprise.search_text = search_text(enterprise.name)
    enterprise.save()
    if old_path != enterprise.jurisdiction_path:
        rekey_enterprise_rows(enterprise)
    if domains is not None:
        _set_domains(enterprise, domains)
    if departments is not None:
        _set_departments(enterprise, departments)
    if unit is not UNCHANGED and getattr(unit, "pk", None) != enterprise.unit_id:
        _set_unit(enterprise, unit)
    if domains is not None or old_path != enterprise.jurisdiction_path:
        tally.follow([enterprise.pk], counted)
    if actor is not None and actor.has_role(*GOVERNMENT_EDITORS):
        # Re-check after the write: nobody moves an enterprise out of their own reach.
        _check_can_place(actor, enterprise.jurisdiction, enterprise.domains.all())
    changes = audit.diff(before, audit.snapshot(enterprise, AUDITED))
    if changes:
        audit.record(action="enterprises.update", obj=enterprise, changes=changes)
    return enterprise


def refresh_search_text(*, ids: Iterable[int]) -> int:
    """Recompute the pinyin search keys of some enterprises (derived data, not audited). Large imports store
    the lower-cased name first and fill the pinyin here, in the background, to keep the import fast."""
    done = 0
    ids = list(ids)
    for start in range(0, len(ids), 1000):
        batch = list(Enterprise.objects.filter(pk__in=ids[start:start + 1000]).only("pk", "name"))
        for ent in batch:
            ent.search_text = search_text(ent.name)
        Enterprise.objects.bulk_update(batch, ["search_text"], batch_size=500)
        done += len(batch)
    return done


# -- licences ---------------------------------------------------------------------------------------
LICENCE_FIELDS = ["kind", "name", "number", "issuer", "scope_text", "valid_from", "valid_until"]


def can_edit_records(actor: Any, enterprise: Enterprise) -> bool:
    """Government editors in scope and the enterprise's own accounts keep its records (licences, ledgers)."""
    if actor is None:
        return True
    if not Enterprise.objects.visible_to(actor, grants=False).filter(pk=enterprise.pk).exists():
        return False
    return actor.has_role(*GOVERNMENT_EDITORS) or (actor.has_role(Role.ENTERPRISE)
                                                  and actor.enterprise_id == enterprise.pk)


def _check_licence(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (values.get("number") or "").strip():
        errors["number"] = _("请填写证书编号。")
    if values.get("valid_from") and values.get("valid_until") and values["valid_until"] < values["valid_from"]:
        errors["valid_until"] = _("有效期至不能早于有效期起。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def licence_create(*, actor: Any, enterprise: Enterprise, **values: Any) -> Licence:
    if not can_edit_records(actor, enterprise):
        raise PermissionDenied(_("您没有维护该企业许可证的权限。"))
    values = {k: v for k, v in values.items() if k in LICENCE_FIELDS}
    _check_licence(values)
    licence = Licence(enterprise=enterprise, **values).copy_scope_keys()
    licence.save()
    audit.record(action="enterprises.create", obj=licence, changes=audit.diff({}, audit.snapshot(licence, LICENCE_FIELDS)))
    return licence


@transaction.atomic
def licence_update(*, actor: Any, licence: Licence, **values: Any) -> Licence:
    licence = Licence.objects.select_for_update().select_related("enterprise").get(pk=licence.pk)
    if not can_edit_records(actor, licence.enterprise):
        raise PermissionDenied(_("您没有维护该企业许可证的权限。"))
    before = audit.snapshot(licence, LICENCE_FIELDS)
    for key, value in values.items():
        if key in LICENCE_FIELDS:
            setattr(licence, key, value)
    _check_licence({f: getattr(licence, f) for f in LICENCE_FIELDS})
    licence.copy_scope_keys().save()
    changes = audit.diff(before, audit.snapshot(licence, LICENCE_FIELDS))
    if changes:
        audit.record(action="enterprises.update", obj=licence, changes=changes)
    return licence


@transaction.atomic
def licence_delete(*, actor: Any, licence: Licence) -> None:
    licence = Licence.objects.select_for_update().select_related("enterprise").get(pk=licence.pk)
    if not can_edit_records(actor, licence.enterprise):
        raise PermissionDenied(_("您没有维护该企业许可证的权限。"))
    audit.record(action="enterprises.delete", obj=licence, changes=audit.diff(audit.snapshot(licence, LICENCE_FIELDS), {}))
    licence.delete()
