"""Ledger .xlsx import/export, generated from each ledger's spec. All or nothing, row-by-row Chinese errors;
rows are matched by the ledger's natural key inside their enterprise, so a re-import updates."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.imports import Importer, Outcome, Progress
from core.spreadsheet import Column, read_rows, template_bytes, text, to_bool, to_date, to_int
from enterprises.credit_code import CreditCodeError, normalise, validate_credit_code
from enterprises.importer import ImportResult, RowError
from enterprises.models import Enterprise
from enterprises.services import can_edit_records
from ledgers import services
from ledgers.specs import SPECS, LedgerSpec, display

ENTERPRISE_COLUMNS = [Column("统一社会信用代码", "_credit_code", False, "企业账号导入本企业时可留空", width=22),
                      Column("企业名称", "_enterprise_name", False, "仅供核对，以信用代码为准", width=28)]


def import_fields(spec: LedgerSpec) -> list[models.Field]:
    return [f for f in (spec.model._meta.get_field(n) for n in spec.form_fields) if not f.is_relation]


def columns(spec: LedgerSpec) -> list[Column]:
    out = list(ENTERPRISE_COLUMNS)
    for f in import_fields(spec):
        hint = "、".join(str(label) for _v, label in f.choices) if f.choices else (
            "是/否" if isinstance(f, models.BooleanField) else
            "日期，如 2026-05-31" if isinstance(f, models.DateField) else "")
        out.append(Column(str(f.verbose_name), f.name, not f.blank and not isinstance(f, models.BooleanField), hint))
    return out


def template(spec: LedgerSpec) -> bytes:
    note = (f"{spec.title}导入模板：带*的列必填；同一企业内{ '、'.join(str(spec.model._meta.get_field(n).verbose_name) for n in spec.natural_key)}"
            "相同的记录再次导入时更新。任何一行有错，整个文件都不导入。")
    return template_bytes(str(spec.title), columns(spec), note)


def export_columns(spec: LedgerSpec) -> list[tuple[str, Any]]:
    cols: list[tuple[str, Any]] = [("统一社会信用代码", lambda r: r.enterprise.credit_code),
                                   ("企业名称", lambda r: r.enterprise.name)]
    for f in import_fields(spec):
        cols.append((str(f.verbose_name), lambda r, n=f.name: display(r, n, spec)))
    return cols


def _convert(f: models.Field, raw: Any) -> Any:
    if f.choices:
        value = text(raw)
        if not value:
            return ""
        for v, label in f.choices:
            if value in (v, str(label)):
                return v
        raise ValueError(_("“%(v)s”不是可选项（%(c)s）") % {"v": value, "c": "、".join(str(lb) for _v, lb in f.choices)})
    if isinstance(f, models.BooleanField):
        return bool(to_bool(raw))
    if isinstance(f, models.DateTimeField):
        raise ValueError(_("不支持导入"))
    if isinstance(f, models.DateField):
        return to_date(raw)
    if isinstance(f, models.IntegerField):
        return to_int(raw)
    if isinstance(f, models.DecimalField):
        value = text(raw)
        return value or None
    return text(raw)


def import_rows(*, actor: Any, spec: LedgerSpec, file: IO[bytes] | Any, enterprise: Enterprise | None = None,
                progress: Progress | None = None) -> ImportResult:
    result = ImportResult()
    cols = columns(spec)
    rows, result.missing_headers = read_rows(file, cols)
    result.total = len(rows)
    if result.missing_headers:
        return result
    fields = import_fields(spec)
    codes = set()
    parsed: list[tuple[int, str, dict[str, Any]]] = []
    for n, (line, raw) in enumerate(rows, start=1):
        if progress and n % 500 == 0:
            progress("validate", n, result.total)
        values: dict[str, Any] = {}
        raw_code = raw.get("_credit_code")
        code = normalise(raw_code) if isinstance(raw_code, str) else text(raw_code)
        if code:
            try:
                code = validate_credit_code(raw_code)
                codes.add(code)
            except CreditCodeError as exc:
                result.errors.append(RowError(line, "统一社会信用代码", str(exc)))
        elif enterprise is None:
            result.errors.append(RowError(line, "统一社会信用代码", _("必填项为空")))
        for f in fields:
            try:
                values[f.name] = _convert(f, raw.get(f.name))
            except ValueError as exc:
                result.errors.append(RowError(line, str(f.verbose_name), str(exc)))
                continue
            if not f.blank and values[f.name] in (None, "") and not isinstance(f, models.BooleanField):
                result.errors.append(RowError(line, str(f.verbose_name), _("必填项为空")))
        parsed.append((line, code, values))
    by_code = {e.credit_code: e for e in Enterprise.objects.visible_to(actor).filter(credit_code__in=codes)}
    targets: list[tuple[int, Enterprise, dict[str, Any]]] = []
    seen: dict[tuple, int] = {}
    for line, code, values in parsed:
        ent = by_code.get(code) if code else enterprise
        if code and ent is None:
            result.errors.append(RowError(line, "统一社会信用代码", _("“%(c)s”不是您管辖范围内已登记的企业") % {"c": code}))
            continue
        if enterprise is not None and ent is not None and ent.pk != enterprise.pk:
            result.errors.append(RowError(line, "统一社会信用代码", _("只能导入本企业的记录")))
            continue
        if ent is None:
            continue
        if not can_edit_records(actor, ent):
            result.errors.append(RowError(line, "统一社会信用代码", _("您不能维护“%(n)s”的台账") % {"n": ent.name}))
            continue
        key = (ent.pk, *[values.get(n) for n in spec.natural_key])
        if spec.natural_key and key in seen:
            result.errors.append(RowError(line, "", _("与第 %(r)d 行重复") % {"r": seen[key]}))
            continue
        seen[key] = line
        targets.append((line, ent, values))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    if progress:
        progress("write", 0, result.total)
    try:
        with transaction.atomic():
            for line, ent, values in targets:
                existing = None
                if spec.natural_key:
                    existing = spec.model._default_manager.filter(
                        enterprise=ent, **{n: values.get(n) for n in spec.natural_key}).first()
                try:
                    if existing is None:
                        services.row_create(actor=actor, model=spec.model, enterprise=ent, **values)
                        result.created += 1
                    else:
                        services.row_update(actor=actor, row=existing, **values)
                        result.updated += 1
                except ValidationError as exc:
                    msgs = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                    for field, errors in msgs.items():
                        label = str(spec.model._meta.get_field(field).verbose_name) if field else ""
                        for m in errors:
                            result.errors.append(RowError(line, label, m))
                except PermissionDenied as exc:
                    result.errors.append(RowError(line, "", str(exc)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = 0
    return result


class _Rollback(Exception):
    pass


def own_enterprise(actor: Any) -> Enterprise | None:
    """An enterprise account imports into its own enterprise (the credit-code column may stay empty)."""
    if actor.has_role(Role.ENTERPRISE):
        return Enterprise.objects.filter(pk=actor.enterprise_id).first()
    return None


def _run(*, actor: Any, file: IO[bytes] | Any, params: dict[str, Any], progress: Progress) -> Outcome:
    spec = SPECS[params["spec"]]
    return Outcome.from_result(import_rows(actor=actor, spec=spec, file=file, enterprise=own_enterprise(actor),
                                           progress=progress))


IMPORTER = Importer(
    key="ledger", title=lambda params: _("导入%(t)s") % {"t": SPECS[params["spec"]].title}, run=_run,
    upload_url=lambda params: reverse("ledgers:import", args=[params["spec"]]),
    done_url=lambda params: reverse("ledgers:list", args=[params["spec"]]))
