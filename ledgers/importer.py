"""Ledger .xlsx import/export, generated from each ledger's spec; the import is an importer on the one pipeline
(core.imports): all or nothing, row-by-row Chinese errors; rows are matched by the ledger's natural key inside
their enterprise, so a re-import updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.imports import Importer, Outcome, Progress, Row, Run
from core.spreadsheet import Column, Parser, nonblank, template_bytes, text, to_bool, to_date, to_int
from enterprises.credit_code import normalise, validate_credit_code
from enterprises.models import Enterprise
from enterprises.services import can_edit_records
from ledgers import services
from ledgers.specs import SPECS, LedgerSpec, display


def _credit_code(raw: Any) -> str:
    """The normalised code, checked when there is one ("" when the cell is empty)."""
    code = normalise(raw) if isinstance(raw, str) else text(raw)
    return validate_credit_code(raw) if code else ""


ENTERPRISE_COLUMNS = [Column("统一社会信用代码", "_credit_code", False, "企业账号导入本企业时可留空", width=22,
                             parse=_credit_code, synonyms=("信用代码", "社会信用代码")),
                      Column("企业名称", "_enterprise_name", False, "仅供核对，以信用代码为准", width=28,
                             synonyms=("单位名称",))]


def import_fields(spec: LedgerSpec) -> list[models.Field]:
    return [f for f in (spec.model._meta.get_field(n) for n in spec.form_fields) if not f.is_relation]


def columns(spec: LedgerSpec) -> list[Column]:
    out = list(ENTERPRISE_COLUMNS)
    for f in import_fields(spec):
        hint = "、".join(str(label) for _v, label in f.choices) if f.choices else (
            "是/否" if isinstance(f, models.BooleanField) else
            "日期，如 2026-05-31" if isinstance(f, models.DateField) else "")
        required = not f.blank and not isinstance(f, models.BooleanField)
        parse = _parser(f)
        out.append(Column(str(f.verbose_name), f.name, required, hint, parse=nonblank(parse) if required else parse))
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


def _parser(f: models.Field) -> Parser:
    """A cell as the model field takes it: converted, then the field's own checks (length, range, digits), so a
    hostile cell is a row error rather than a database error."""

    def parse(raw: Any) -> Any:
        value = _convert(f, raw)
        if value not in (None, ""):
            try:
                f.run_validators(f.to_python(value))
            except ValidationError as exc:
                raise ValueError("；".join(exc.messages)) from exc
        return value

    return parse


@dataclass
class _Target:
    line: int
    sheet: str
    code: str
    values: dict[str, Any]
    enterprise: Enterprise | None = None


class LedgerImporter(Importer):
    key = "ledger"

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return columns(SPECS[params["spec"]])

    def title(self, params: dict[str, Any]) -> str:
        return _("导入%(t)s") % {"t": SPECS[params["spec"]].title}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("ledgers:import", args=[params["spec"]])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("ledgers:list", args=[params["spec"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("导入完成：新增 %(c)d 条，更新 %(u)d 条。") % {"c": counts.created, "u": counts.updated}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        owner = super().mapping_context(actor, params)
        return f"{params['spec']}|{owner}" if owner else None

    def prepare(self, run: Run) -> Enterprise | None:
        """An enterprise account imports into its own enterprise (the credit-code column may stay empty)."""
        return own_enterprise(run.actor)

    def clean(self, row: Row, run: Run) -> _Target | None:
        row.values.pop("_enterprise_name", None)
        if "_credit_code" not in row.values:
            return None  # reported by its parser
        code = row.values.pop("_credit_code")
        if not code and run.ctx is None:
            row.error("统一社会信用代码", _("必填项为空"))
        return _Target(row.line, row.sheet, code, row.values)

    def check(self, items: list[_Target], run: Run) -> None:
        spec, own = SPECS[run.params["spec"]], run.ctx
        codes = {t.code for t in items if t.code}
        by_code = {e.credit_code: e for e in Enterprise.objects.visible_to(run.actor).filter(credit_code__in=codes)}
        seen: dict[tuple[Any, ...], int] = {}
        for t in items:
            ent = by_code.get(t.code) if t.code else own
            if t.code and ent is None:
                run.error(t.line, "统一社会信用代码", _("“%(c)s”不是您管辖范围内已登记的企业") % {"c": t.code}, t.sheet)
            elif own is not None and ent is not None and ent.pk != own.pk:
                run.error(t.line, "统一社会信用代码", _("只能导入本企业的记录"), t.sheet)
            elif ent is not None and not can_edit_records(run.actor, ent):
                run.error(t.line, "统一社会信用代码", _("您不能维护“%(n)s”的台账") % {"n": ent.name}, t.sheet)
            elif ent is not None:
                key = (ent.pk, *[t.values.get(n) for n in spec.natural_key])
                if spec.natural_key and key in seen:
                    run.error(t.line, "", _("与第 %(r)d 行重复") % {"r": seen[key]}, t.sheet)
                    continue
                seen[key] = t.line
                t.enterprise = ent

    def write(self, items: list[_Target], run: Run) -> None:
        spec = SPECS[run.params["spec"]]

        def label(name: str) -> str:
            try:
                return str(spec.model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                return name

        for n, t in enumerate(items, start=1):
            run.tick("write", n)
            existing = None
            if spec.natural_key:
                existing = spec.model._default_manager.filter(
                    enterprise=t.enterprise, **{k: t.values.get(k) for k in spec.natural_key}).first()
            with run.guard(t.line, sheet=t.sheet, label=label):
                if existing is None:
                    services.row_create(actor=run.actor, model=spec.model, enterprise=t.enterprise, **t.values)
                    run.outcome.created += 1
                else:
                    services.row_update(actor=run.actor, row=existing, **t.values)
                    run.outcome.updated += 1


IMPORTER = LedgerImporter()


def import_rows(*, actor: Any, spec: LedgerSpec, file: IO[bytes] | Any, progress: Progress | None = None) -> Outcome:
    return IMPORTER.run(actor=actor, file=file, params={"spec": spec.key}, progress=progress)


def own_enterprise(actor: Any) -> Enterprise | None:
    """An enterprise account imports into its own enterprise (the credit-code column may stay empty)."""
    if actor.has_role(Role.ENTERPRISE):
        return Enterprise.objects.filter(pk=actor.enterprise_id).first()
    return None
