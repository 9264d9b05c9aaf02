"""User-defined ledgers: parsing the column definition, validating row values against it, and the writes."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.spreadsheet import to_bool, to_date
from enterprises.models import Enterprise
from enterprises.services import can_edit_records
from ledgers.models import CustomRow, LedgerDefinition
from ledgers.models.custom import ColumnType, Target
from orgs.models import Jurisdiction

DEFINERS = (Role.OFFICE, Role.REGULATOR)
TYPE_WORDS = {"文本": "text", "数字": "number", "日期": "date", "选项": "choice", "是否": "bool", "是/否": "bool",
              "文件": "file", **{t.value: t.value for t in ColumnType}}
DEF_FIELDS = ["name", "description", "target", "domain", "columns", "remind_days", "active", "enterprises",
              "jurisdictions"]


def parse_columns(spec_text: str) -> list[dict[str, Any]]:
    """One column per line: 名称|类型|必填|到期|选项1,选项2 (only name and type are required)."""
    columns: list[dict[str, Any]] = []
    errors: list[str] = []
    for n, line in enumerate((spec_text or "").splitlines(), start=1):
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if not parts[0]:
            continue
        label = parts[0]
        ctype = TYPE_WORDS.get(parts[1] if len(parts) > 1 and parts[1] else "文本")
        if ctype is None:
            errors.append(_("第%(n)d行：类型“%(t)s”不认识（文本、数字、日期、选项、是否、文件）") % {"n": n, "t": parts[1]})
            continue
        flags = set(parts[2:])
        col: dict[str, Any] = {"key": f"c{len(columns) + 1}", "label": label, "type": ctype,
                               "required": "必填" in flags, "due": "到期" in flags}
        if col["due"] and ctype != "date":
            errors.append(_("第%(n)d行：只有日期栏目可以设为“到期”") % {"n": n})
        if ctype == "choice":
            opts = [o for p in parts[2:] if p not in ("必填", "到期") for o in p.replace("，", ",").split(",") if o]
            if not opts:
                errors.append(_("第%(n)d行：选项栏目请列出选项，如：甲,乙,丙") % {"n": n})
            col["choices"] = opts
        if label in {c["label"] for c in columns}:
            errors.append(_("第%(n)d行：栏目名称“%(l)s”重复") % {"n": n, "l": label})
        columns.append(col)
    if not columns and not errors:
        errors.append(_("请至少定义一个栏目。"))
    if errors:
        raise ValidationError({"columns": errors})
    return columns


def columns_text(columns: list[dict[str, Any]]) -> str:
    words = {v: k for k, v in TYPE_WORDS.items() if len(k) <= 3 and k not in ColumnType.values}
    lines = []
    for c in columns:
        parts = [c["label"], words.get(c["type"], c["type"])]
        if c.get("required"):
            parts.append("必填")
        if c.get("due"):
            parts.append("到期")
        if c.get("choices"):
            parts.append(",".join(c["choices"]))
        lines.append("|".join(parts))
    return "\n".join(lines)


def clean_values(definition: LedgerDefinition, raw: dict[str, Any], *, by_label: bool = False) -> dict[str, Any]:
    """Validate raw values (by column key, or by label for spreadsheets) against the definition."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for col in definition.columns:
        value = raw.get(col["label"] if by_label else col["key"])
        if isinstance(value, str):
            value = value.strip()
        try:
            if value in (None, ""):
                value = None
            elif col["type"] == "number":
                value = str(decimal.Decimal(str(value).replace(",", "")).normalize())
            elif col["type"] == "date":
                d = value if isinstance(value, dt.date) else to_date(value)
                value = d.isoformat() if d else None
            elif col["type"] == "bool":
                value = to_bool(value)
            elif col["type"] == "choice":
                if str(value) not in col.get("choices", []):
                    raise ValueError(_("“%(v)s”不是可选项（%(c)s）") % {"v": value, "c": "、".join(col["choices"])})
                value = str(value)
            elif col["type"] == "file":
                value = int(value) if str(value).isdigit() else None
            else:
                value = str(value)[:2000]
        except (ValueError, decimal.InvalidOperation) as exc:
            errors[col["label"]] = str(exc) if isinstance(exc, ValueError) and str(exc) else _("格式不对")
            continue
        if value is None and col.get("required") and col["type"] != "file":
            errors[col["label"]] = _("必填项为空")
        out[col["key"]] = value
    if errors:
        raise ValidationError(errors)
    return out


def _due(definition: LedgerDefinition, values: dict[str, Any]) -> dt.date | None:
    dates = [dt.date.fromisoformat(values[c["key"]]) for c in definition.due_columns if values.get(c["key"])]
    return min(dates) if dates else None


@transaction.atomic
def definition_save(*, actor: Any, definition: LedgerDefinition | None, enterprises: list[Enterprise],
                    jurisdictions: list[Jurisdiction], **values: Any) -> LedgerDefinition:
    if actor is not None and not actor.has_role(*DEFINERS):
        raise PermissionDenied(_("只有安委办和行业监管部门可以建立台账。"))
    visible = set(Enterprise.objects.visible_to(actor).filter(pk__in=[e.pk for e in enterprises])
                  .values_list("pk", flat=True)) if actor is not None else {e.pk for e in enterprises}
    if len(visible) != len({e.pk for e in enterprises}):
        raise PermissionDenied(_("只能指定您管辖范围内的企业。"))
    creating = definition is None
    if creating:
        definition = LedgerDefinition(created_by=actor if getattr(actor, "pk", None) else None,
                                      owner_unit=getattr(actor, "unit", None))
        before: dict[str, Any] = {}
    else:
        definition = LedgerDefinition.objects.select_for_update().get(pk=definition.pk)
        before = audit.snapshot(definition, DEF_FIELDS)
    for k, v in values.items():
        if k in DEF_FIELDS:
            setattr(definition, k, v)
    if not (definition.name or "").strip():
        raise ValidationError({"name": _("请填写台账名称。")})
    definition.save()
    definition.enterprises.set(enterprises)
    definition.jurisdictions.set(jurisdictions)
    changes = audit.diff(before, audit.snapshot(definition, DEF_FIELDS))
    if changes:
        audit.record(action="ledgers.create" if creating else "ledgers.update", obj=definition, changes=changes)
    return definition


def can_fill(actor: Any, definition: LedgerDefinition, *, enterprise: Enterprise | None,
             jurisdiction: Jurisdiction | None) -> bool:
    if enterprise is not None:
        attached = definition.target == Target.ENTERPRISE and (
            definition.enterprises.filter(pk=enterprise.pk).exists()
            or definition.jurisdictions.filter(pk=enterprise.jurisdiction_id).exists()
            or any(enterprise.jurisdiction_path.startswith(j.path) for j in definition.jurisdictions.all()))
        return attached and can_edit_records(actor, enterprise)
    if jurisdiction is None or definition.target != Target.JURISDICTION:
        return False
    if not definition.jurisdictions.filter(pk=jurisdiction.pk).exists():
        return False
    unit = getattr(actor, "unit", None)
    return actor is None or (unit is not None and unit.jurisdiction_id == jurisdiction.pk
                             and actor.has_role(Role.TOWNSHIP, Role.OFFICE))


@transaction.atomic
def custom_row_save(*, actor: Any, definition: LedgerDefinition, row: CustomRow | None = None,
                    enterprise: Enterprise | None = None, jurisdiction: Jurisdiction | None = None,
                    values: dict[str, Any], by_label: bool = False) -> CustomRow:
    if row is not None:
        row = CustomRow.objects.select_for_update().select_related("enterprise", "jurisdiction").get(pk=row.pk)
        enterprise, jurisdiction = row.enterprise, (None if row.enterprise_id else row.jurisdiction)
    if not definition.active:
        raise ValidationError(_("该台账已停用。"))
    if not can_fill(actor, definition, enterprise=enterprise, jurisdiction=jurisdiction):
        raise PermissionDenied(_("您不是该台账的填报对象。"))
    clean = clean_values(definition, values, by_label=by_label)
    if row is None:
        row = CustomRow(definition=definition, enterprise=enterprise,
                        created_by=actor if getattr(actor, "pk", None) else None)
        before: dict[str, Any] = {}
    else:
        before = {"values": row.values}
    # File columns keep the attachment already stored when the form leaves them empty.
    for col in definition.columns:
        if col["type"] == "file" and clean.get(col["key"]) is None and row.values:
            clean[col["key"]] = row.values.get(col["key"])
    row.values = clean
    if enterprise is not None:
        row.copy_scope_keys()
    else:  # a territorial unit's own row: keyed by the jurisdiction it is filled for
        row.jurisdiction, row.jurisdiction_path = jurisdiction, jurisdiction.path
    row.due_date = _due(definition, clean)
    row.save()
    changes = audit.diff(before, {"values": row.values})
    if changes:
        audit.record(action="ledgers.create" if not before else "ledgers.update", obj=row, changes=changes)
    return row
