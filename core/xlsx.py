"""The one .xlsx writer: every workbook the platform produces (list exports, reports, import
templates) is written through :class:`Workbook`, so user text always lands in the file as text.

Spreadsheet formula injection: a cell holding ``=HYPERLINK(...)`` or ``=cmd|'/c calc'!A1`` that
reaches a workbook as a formula runs when the office opens it. Two defences, both here:

1. Every string is written with ``write_string`` into a workbook whose ``strings_to_formulas``,
   ``strings_to_urls`` and ``strings_to_numbers`` are off: a string is never turned into a formula,
   a link or a number, whatever it starts with.
2. A string that a spreadsheet would read as a formula once the cell is edited or the sheet is
   re-saved (a leading ``= + - @``, their full-width or small forms, tab, CR or LF) carries the
   *quote prefix* cell attribute. That attribute is what Excel itself stores when someone types
   ``'=1+1``: the value stays exactly what the user wrote (``-5`` and ``+86 138…`` survive a round
   trip through our own importers unchanged, nothing to strip), it shows without the apostrophe, and
   Excel, WPS and LibreOffice keep the cell as text when it is edited. We do not prepend a literal
   apostrophe (the OWASP advice for CSV): in .xlsx it would become part of the value and show.

Numbers stay numbers (``int``, ``float``, ``Decimal``); booleans stay booleans; dates are written as
ISO text, as the importers read them. Text is stripped of characters XML cannot carry.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

# First characters that make a spreadsheet treat text as a formula (NFKC folds the full-width
# ＝＋－＠ and the small ﹦﹢﹣ forms onto these).
FORMULA_STARTS = frozenset("=+-@\t\r\n")
MAX_CELL_TEXT = 32_767  # Excel's limit; longer text is cut rather than refused


def formula_like(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula when it is typed or re-parsed?"""
    if not text:
        return False
    first = text[0]
    return first in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def _xml_safe(text: str) -> str:
    # XML 1.0 allows tab, LF, CR and nothing else below U+0020; lone surrogates cannot be encoded.
    return "".join(ch for ch in text if ch in "\t\n\r" or (ch >= " " and not "\ud800" <= ch <= "\udfff"
                                                               and ch not in "\ufffe\uffff"))


def as_text(value: Any) -> str:
    """The text a cell (or a .docx run) will hold for ``value``."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _xml_safe(str(value))[:MAX_CELL_TEXT]


class Style:
    """A cell format by its properties (xlsxwriter's names), resolved per workbook when written."""

    __slots__ = ("key",)

    def __init__(self, **props: Any) -> None:
        self.key = tuple(sorted(props.items()))


class Sheet:
    """A worksheet that can only write cells through the safe path."""

    # Layout calls passed through unchanged: none of them writes a cell value.
    _LAYOUT = frozenset({"set_column", "set_row", "freeze_panes", "set_paper", "set_landscape", "set_portrait",
                         "fit_to_pages", "repeat_rows", "set_margins", "hide_gridlines", "autofilter",
                         "set_default_row"})

    def __init__(self, book: Workbook, worksheet: Any) -> None:
        self._book = book
        self._ws = worksheet

    def __getattr__(self, name: str) -> Any:
        if name in self._LAYOUT:
            return getattr(self._ws, name)
        raise AttributeError(f"Sheet has no {name!r}: write cells with write(), merge() or comment()")

    def write(self, row: int, col: int, value: Any, style: Style | None = None) -> None:
        if value is None:
            if style is not None:
                self._ws.write_blank(row, col, None, self._book._format(style, quote=False))
            return
        if isinstance(value, bool):
            self._ws.write_boolean(row, col, value, self._book._format(style, quote=False))
            return
        if isinstance(value, int | float | Decimal) and math.isfinite(value):
            self._ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value,
                                  self._book._format(style, quote=False))
            return
        text = as_text(value)
        self._ws.write_string(row, col, text, self._book._format(style, quote=formula_like(text)))

    def write_row(self, row: int, values: Iterable[Any], style: Style | None = None, *, first_col: int = 0) -> None:
        for col, value in enumerate(values, start=first_col):
            self.write(row, col, value, style)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any,
              style: Style | None = None) -> None:
        """Merge a range and write ``value`` into it (through :meth:`write`)."""
        if (first_row, first_col) == (last_row, last_col):
            self.write(first_row, first_col, value, style)
            return
        fmt = self._book._format(style, quote=False)
        self._ws.merge_range(first_row, first_col, last_row, last_col, None, fmt)
        self.write(first_row, first_col, "" if value is None else value, style)

    def comment(self, row: int, col: int, text: str) -> None:
        # Comments are never evaluated; only keep them XML-safe.
        self._ws.write_comment(row, col, as_text(text))


class Workbook:
    """``Workbook()`` → ``sheet()`` → ``write()`` … → ``getvalue()``.

    ``constant_memory`` streams rows to a temporary file (rows must then be written in order):
    for list exports of up to 200,000 rows."""

    def __init__(self, *, constant_memory: bool = False) -> None:
        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._buffer, {
            "constant_memory": constant_memory, "in_memory": not constant_memory,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        self._formats: dict[tuple[tuple[tuple[str, Any], ...], bool], Any] = {}
        self._closed = False

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self._book.add_worksheet(_sheet_name(name)))

    def _format(self, style: Style | None, *, quote: bool) -> Any:
        key = (style.key if style is not None else (), quote)
        if not key[0] and not quote:
            return None
        fmt = self._formats.get(key)
        if fmt is None:
            props = dict(key[0])
            if quote:
                props["quote_prefix"] = True
            fmt = self._formats[key] = self._book.add_format(props)
        return fmt

    def getvalue(self) -> bytes:
        if not self._closed:
            self._book.close()
            self._closed = True
        return self._buffer.getvalue()


def _sheet_name(name: str) -> str:
    # Excel refuses []:*?/\ in sheet names and more than 31 characters.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in as_text(name)).strip("'") or "Sheet1"
    return cleaned[:31]
