"""Importing rows of a user-defined ledger from its .xlsx template: an importer on the one pipeline
(core.imports), all or nothing, row by row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.imports import Importer, Outcome, Progress, Row, Run
from core.spreadsheet import Column
from enterprises.credit_code import normalise, number_message, stored_as_number
from enterprises.models import Enterprise
from ledgers import custom
from ledgers.models import LedgerDefinition
from ledgers.models.custom import Target


def columns(definition: LedgerDefinition) -> list[Column]:
    cols = [Column("统一社会信用代码", "_code", definition.target == Target.ENTERPRISE, width=22,
                   synonyms=("信用代码", "社会信用代码"))]
    return cols + [Column(c["label"], c["label"], bool(c.get("required")) and c["type"] != "file")
                   for c in definition.columns if c["type"] != "file"]


def own_jurisdictions(user: Any, definition: LedgerDefinition) -> list[Any]:
    unit = getattr(user, "unit", None)
    return [j for j in definition.jurisdictions.all() if unit is not None and unit.jurisdiction_id == j.pk]


@dataclass
class _Entry:
    line: int
    sheet: str
    code: str
    values: dict[str, Any]  # by column label, as custom_row_save(by_label=True) takes them
    enterprise: Enterprise | None = None


class CustomLedgerImporter(Importer):
    key = "custom_ledger"
    empty_message = gettext_lazy("表格中没有数据行。")

    def _definition(self, params: dict[str, Any]) -> LedgerDefinition:
        return LedgerDefinition.objects.get(pk=params["definition"])

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return columns(self._definition(params))

    def title(self, params: dict[str, Any]) -> str:
        return _("导入%(t)s") % {"t": self._definition(params).name}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("ledgers:custom_import", args=[params["definition"]])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("ledgers:custom_rows", args=[params["definition"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("导入完成：新增 %(c)d 条。") % {"c": counts.created}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        owner = super().mapping_context(actor, params)
        return f"definition:{params['definition']}|{owner}" if owner else None

    def prepare(self, run: Run) -> LedgerDefinition:
        return self._definition(run.params)

    def clean(self, row: Row, run: Run) -> _Entry | None:
        definition: LedgerDefinition = run.ctx
        raw_code = row.values.pop("_code", None)
        if stored_as_number(raw_code):
            row.error("统一社会信用代码", number_message())
        try:
            custom.clean_values(definition, row.values, by_label=True)
        except ValidationError as exc:
            for label, messages in exc.message_dict.items():
                for message in messages:
                    row.error(label, message)
        return _Entry(row.line, row.sheet, normalise(raw_code), row.values)

    def check(self, items: list[_Entry], run: Run) -> None:
        definition: LedgerDefinition = run.ctx
        codes = {e.code for e in items if e.code}
        by_code = {e.credit_code: e for e in Enterprise.objects.visible_to(run.actor).filter(credit_code__in=codes)}
        own = run.actor.enterprise if run.actor.has_role(Role.ENTERPRISE) else None
        for entry in items:
            entry.enterprise = by_code.get(entry.code) if entry.code else own
            if definition.target == Target.ENTERPRISE and entry.enterprise is None:
                run.error(entry.line, "统一社会信用代码", _("“%(c)s”不是您管辖范围内的企业") % {"c": entry.code},
                          entry.sheet)

    def write(self, items: list[_Entry], run: Run) -> None:
        definition: LedgerDefinition = run.ctx
        own_j = own_jurisdictions(run.actor, definition)
        for n, entry in enumerate(items, start=1):
            run.tick("write", n)
            with run.guard(entry.line, sheet=entry.sheet):
                custom.custom_row_save(actor=run.actor, definition=definition, enterprise=entry.enterprise,
                                       jurisdiction=None if entry.enterprise else (own_j[0] if own_j else None),
                                       values=entry.values, by_label=True)
                run.outcome.created += 1


IMPORTER = CustomLedgerImporter()


def import_custom_rows(*, actor: Any, definition: LedgerDefinition, file: IO[bytes] | Any,
                       progress: Progress | None = None) -> Outcome:
    """Every row through ``custom_row_save``; any error and the whole file is rolled back."""
    return IMPORTER.run(actor=actor, file=file, params={"definition": definition.pk}, progress=progress)
