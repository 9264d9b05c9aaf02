"""Ledger writes: one generic create/update/delete for every built-in ledger and the permit transition (through
``core.workflow.transition``). Scope is checked before each write and re-checked after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import audit
from core.workflow import Step, transition
from enterprises.models import Enterprise
from enterprises.services import can_edit_records
from ledgers import workflow
from ledgers.choices import PermitStatus
from ledgers.models import PermitEvent, WorkerCertificate, WorkPermit
from ledgers.models.base import LedgerRow


def editable_fields(model: type[models.Model]) -> list[str]:
    skip = {"id", "enterprise", "jurisdiction_path", "created_by", "created_at", "updated_at"}
    return [f.name for f in model._meta.concrete_fields if f.editable and f.name not in skip]


def _validate(model: type[LedgerRow], enterprise: Enterprise, values: dict[str, Any],
              instance: LedgerRow | None = None) -> None:
    errors: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        if f.name in values and not f.blank and values[f.name] in (None, ""):
            errors[f.name] = _("请填写“%(f)s”。") % {"f": f.verbose_name}
    pairs = [("issued_on", "expires_on"), ("last_inspection", "next_inspection"), ("starts_at", "ends_at")]
    for a, b in pairs:
        if values.get(a) and values.get(b) and values[b] < values[a]:
            errors[b] = _("不能早于“%(f)s”。") % {"f": model._meta.get_field(a).verbose_name}
    if model is WorkerCertificate:
        idn = (values.get("id_number") or "").strip().upper()
        if idn and not (len(idn) == 18 and idn[:17].isdigit() and (idn[17].isdigit() or idn[17] == "X")):
            errors["id_number"] = _("身份证号应为18位（最后一位可为X）。")
        values["id_number"] = idn
        if values.get("certificate_number") and not values.get("expires_on"):
            errors["expires_on"] = _("有证书编号时请填写有效期。")
    if values.get("registered") is True and "registration_number" in values and not values.get("registration_number"):
        errors["registration_number"] = _("已办理使用登记的设备请填写登记证编号。")
    if "plan" in values and values.get("plan") is not None and values["plan"].enterprise_id != enterprise.pk:
        errors["plan"] = _("只能选择本企业的预案。")
    if "year" in values and values.get("year") is not None:
        qs = model._default_manager.filter(enterprise=enterprise, year=values["year"])
        if instance is not None:
            qs = qs.exclude(pk=instance.pk)
        if qs.exists():
            errors["year"] = _("%(y)s 年度的承诺已登记。") % {"y": values["year"]}
    if errors:
        raise ValidationError(errors)


def _after_save(row: LedgerRow) -> None:
    if isinstance(row, WorkerCertificate) and row.certificate_number:
        # The newest certificate of a person for an operation replaces the earlier ones (no stale reminders).
        WorkerCertificate.objects.filter(
            enterprise=row.enterprise, id_number=row.id_number, operation_type=row.operation_type,
            superseded=False, expires_on__lt=row.expires_on).exclude(pk=row.pk).update(superseded=True)


@transaction.atomic
def row_create(*, actor: Any, model: type[LedgerRow], enterprise: Enterprise, **values: Any) -> LedgerRow:
    if not can_edit_records(actor, enterprise):
        raise PermissionDenied(_("您没有维护该企业台账的权限。"))
    fields = editable_fields(model)
    values = {k: v for k, v in values.items() if k in fields}
    _validate(model, enterprise, values)
    row = model(enterprise=enterprise, created_by=actor if getattr(actor, "pk", None) else None,
                **values).copy_scope_keys()
    if isinstance(row, WorkPermit):
        row.applicant = row.created_by
        row.status = PermitStatus.APPLIED
    row.save()
    _after_save(row)
    if isinstance(row, WorkPermit):
        PermitEvent.objects.create(permit=row, to_status=row.status, actor=row.created_by, note=_("提交申请"))
    audit.record(action="ledgers.create", obj=row, changes=audit.diff({}, audit.snapshot(row, fields)))
    return row


@transaction.atomic
def row_update(*, actor: Any, row: LedgerRow, **values: Any) -> LedgerRow:
    model = type(row)
    row = model._default_manager.select_for_update().get(pk=row.pk)
    enterprise = Enterprise.objects.get(pk=row.enterprise_id)
    if not can_edit_records(actor, enterprise):
        raise PermissionDenied(_("您没有维护该企业台账的权限。"))
    if isinstance(row, WorkPermit) and row.status != PermitStatus.APPLIED:
        raise ValidationError(_("票证已进入审批流程，不能再修改内容。"))
    fields = editable_fields(model)
    before = audit.snapshot(row, fields)
    merged = {f: getattr(row, f) for f in fields}
    merged.update({k: v for k, v in values.items() if k in fields})
    _validate(model, enterprise, merged, instance=row)
    for k, v in merged.items():
        setattr(row, k, v)
    row.enterprise = enterprise
    row.copy_scope_keys().save()
    _after_save(row)
    changes = audit.diff(before, audit.snapshot(row, fields))
    if changes:
        audit.record(action="ledgers.update", obj=row, changes=changes)
    return row


@transaction.atomic
def row_delete(*, actor: Any, row: LedgerRow) -> None:
    model = type(row)
    row = model._default_manager.select_for_update().get(pk=row.pk)
    if not can_edit_records(actor, Enterprise.objects.get(pk=row.enterprise_id)):
        raise PermissionDenied(_("您没有维护该企业台账的权限。"))
    if isinstance(row, WorkPermit) and row.status != PermitStatus.APPLIED:
        raise ValidationError(_("已进入审批流程的票证不能删除，请作废。"))
    audit.record(action="ledgers.delete", obj=row, changes=audit.diff(audit.snapshot(row, editable_fields(model)), {}))
    row.delete()


def _apply_permit(step: Step) -> None:
    permit, actor, now = step.obj, step.actor, step.now
    if step.target == PermitStatus.CHECKED:
        permit.checked_by, permit.checked_at = actor, now
    elif step.target == PermitStatus.APPROVED:
        if permit.ends_at <= now:
            raise ValidationError(_("作业时间已过，不能再批准，请重新申请。"))
        permit.approved_by, permit.approved_at = actor, now
    elif step.target == PermitStatus.CLOSED:
        permit.closed_by, permit.closed_at = actor, now
    elif step.target == PermitStatus.APPLIED:
        permit.checked_by = permit.checked_at = None


def _permit_event(step: Step) -> None:
    PermitEvent.objects.create(permit=step.obj, from_status=step.source, to_status=step.target, actor=step.actor,
                               note=step.note[:500])


def permit_transition(*, permit: WorkPermit, to: str, actor: Any, note: str = "",
                      confirmed: list[int] | None = None, now: dt.datetime | None = None) -> WorkPermit:
    return transition(workflow=workflow.TRANSITIONS, obj=permit, to=to, actor=actor, note=note,
                      data={"confirmed": confirmed}, now=now, apply=_apply_permit, event=_permit_event,
                      lock=lambda p: (WorkPermit.objects.select_for_update().select_related("enterprise")
                                      .get(pk=p.pk)))
