"""What an import reports: one :class:`RowError` per problem found, and one :class:`Outcome` per import —
the same for every importer, on its upload page, on the background job's page and in tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class RowError(str):
    """One problem of an import, where it is: ``row`` (the sheet's row number, None for the whole file),
    ``column`` (its header), ``message``, and ``sheet`` when several sheets are read.

    It *is* the sentence a person reads (“第 6 行 责任单位：……”), so a report can be joined, listed or put in a
    ValidationError as text, while pages lay it out by row and column."""

    row: int | None
    column: str
    message: str
    sheet: str

    def __new__(cls, row: int | None, column: Any = "", message: Any = "", sheet: str = "") -> RowError:
        column, message = str(column or ""), str(message)
        if row is None:
            sentence = f"{column}：{message}" if column else message
        elif column:
            sentence = _("第 %(r)d 行 %(c)s：%(m)s") % {"r": row, "c": column, "m": message}
        else:
            sentence = _("第 %(r)d 行：%(m)s") % {"r": row, "m": message}
        if sheet:
            sentence = _("工作表“%(s)s”%(t)s") % {"s": sheet, "t": sentence}
        self = super().__new__(cls, sentence)
        self.row, self.column, self.message, self.sheet = row, column, message, sheet
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (RowError, (self.row, self.column, self.message, self.sheet))

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "sheet": self.sheet}

    @property
    def order(self) -> tuple[str, int]:
        return (self.sheet, self.row or 0)


@dataclass
class Outcome:
    """The result of one import: counts, and the report (errors, missing columns, notes, or a refusal of the
    whole file). Nothing was written unless ``ok``."""

    total: int = 0  # data rows read
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""  # a refusal of the whole file
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing_headers and not self.message

    @classmethod
    def refused(cls, messages: Iterable[Any]) -> Outcome:
        return cls(message="；".join(str(m) for m in messages)[:500])

    def lines(self) -> list[str]:
        """The report as sentences."""
        out = [self.message] if self.message else []
        if self.missing_headers:
            out.append(_("缺少必需的列：%(c)s") % {"c": "、".join(self.missing_headers)})
        return out + [str(e) for e in self.errors]

    def discard_writes(self) -> None:
        """The write phase was rolled back: nothing of it stands."""
        self.created = self.updated = self.unchanged = 0
