"""Importing rows of a user-defined ledger from its .xlsx template: all or nothing, row by row."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.imports import Importer, Outcome, Progress
from core.spreadsheet import Column, read_rows
from enterprises.credit_code import normalise, number_message, stored_as_number
from enterprises.importer import ImportResult, RowError
from enterprises.models import Enterprise
from ledgers import custom
from ledgers.models import LedgerDefinition
from ledgers.models.custom import Target


def columns(definition: LedgerDefinition) -> list[Column]:
    cols = [Column("统一社会信用代码", "_code", definition.target == Target.ENTERPRISE, width=22)]
    return cols + [Column(c["label"], c["label"], bool(c.get("required")) and c["type"] != "file")
                   for c in definition.columns if c["type"] != "file"]


def own_jurisdictions(user: Any, definition: LedgerDefinition) -> list[Any]:
    unit = getattr(user, "unit", None)
    return [j for j in definition.jurisdictions.all() if unit is not None and unit.jurisdiction_id == j.pk]


class _Rollback(Exception):
    pass


def import_custom_rows(*, actor: Any, definition: LedgerDefinition, file: IO[bytes] | Any,
                       progress: Progress | None = None) -> ImportResult:
    """Every row through ``custom_row_save``; any error and the whole file is rolled back."""
    result = ImportResult()
    rows, result.missing_headers = read_rows(file, columns(definition))
    result.total = len(rows)
    if result.missing_headers:
        return result
    visible = Enterprise.objects.visible_to(actor)
    own_j = own_jurisdictions(actor, definition)
    if progress:
        progress("write", 0, result.total)
    try:
        with transaction.atomic():
            for n, (line, raw) in enumerate(rows, start=1):
                if progress and n % 500 == 0:
                    progress("write", n, result.total)
                raw_code = raw.pop("_code", None)
                if stored_as_number(raw_code):
                    result.errors.append(RowError(line, "统一社会信用代码", number_message()))
                    continue
                code = normalise(raw_code)
                ent = visible.filter(credit_code=code).first() if code else (
                    actor.enterprise if actor.has_role(Role.ENTERPRISE) else None)
                if definition.target == Target.ENTERPRISE and ent is None:
                    result.errors.append(RowError(line, "统一社会信用代码",
                                                  _("“%(c)s”不是您管辖范围内的企业") % {"c": code}))
                    continue
                try:
                    custom.custom_row_save(actor=actor, definition=definition, enterprise=ent,
                                           jurisdiction=None if ent else (own_j[0] if own_j else None),
                                           values=raw, by_label=True)
                    result.created += 1
                except ValidationError as exc:
                    for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                          else [("", exc.messages)]):
                        result.errors.extend(RowError(line, field, m) for m in errors)
                except PermissionDenied as exc:
                    result.errors.append(RowError(line, "", str(exc)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = 0
    return result


def _run(*, actor: Any, file: IO[bytes] | Any, params: dict[str, Any], progress: Progress) -> Outcome:
    definition = LedgerDefinition.objects.get(pk=params["definition"])
    return Outcome.from_result(import_custom_rows(actor=actor, definition=definition, file=file, progress=progress))


IMPORTER = Importer(
    key="custom_ledger",
    title=lambda params: _("导入%(t)s") % {"t": LedgerDefinition.objects.get(pk=params["definition"]).name},
    run=_run, upload_url=lambda params: reverse("ledgers:custom_import", args=[params["definition"]]),
    done_url=lambda params: reverse("ledgers:custom_rows", args=[params["definition"]]),
    done_message=lambda job: _("导入完成：新增 %(c)d 条。") % {"c": job.created})
