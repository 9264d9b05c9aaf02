"""Finding an importer's table in a workbook and mapping its columns: the first two steps of every import.

:func:`plan_book` turns the sheets ``core.spreadsheet.read_book`` returns into a :class:`Plan`:

* **Sheets.** A sheet without a header row in its first :data:`HEADER_SCAN_ROWS` rows (an instructions
  sheet, a list of choices) is skipped and says so; hidden sheets are skipped. Of the sheets with a table, all
  that have every required column are read (or the first table, to report what it lacks). A chosen mapping
  names the sheets itself.
* **Header.** The header is the first row whose cells name enough of the importer's columns
  (``Importer.header_found``; any title or note rows above it are passed over). It is two rows deep when a
  cell of it is merged across columns with sub-headers below (责任单位 over 牵头单位 | 配合单位); a column's
  header is then both texts, and a header merged down over both rows is one text.
* **Columns.** A source column maps to an importer column by, in order: the choice made for this file
  (``chosen``), the choice saved for the context (``saved``, keyed by :func:`header_key` of the header), the
  column's template name, one of its ``synonyms``, a ``keyword`` it contains (columns tried in order). Each
  importer column takes the first source column that maps to it; every other source column is *not kept* and
  the plan lists it with the reason, so nothing is dropped silently.
* **Rows.** Data rows follow the header; blank rows (every kept cell empty) are skipped; a row that is one
  value merged across three or more columns is a heading: it fills the importer's ``heading_key`` for the
  rows below it, or is skipped with a note. The data rows are counted against ``ANZHI_IMPORT_MAX_ROWS``.

The plan is also the mapping preview (:meth:`Plan.as_dict`, and the page in ``core/imports/views.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheet import Column, SheetData, blank, header_key, too_many_rows

HEADER_SCAN_ROWS = 15
PREVIEW_ROWS = 5
SAMPLES = 3
MAX_KEY = 120  # a header is filed under at most this much of its text (a saved choice must stay small)
# How a source column came to its importer column (shown in the preview).
NAME, SYNONYM, KEYWORD, SAVED, CHOSEN = "name", "synonym", "keyword", "saved", "chosen"

Mapping = dict[str, Any]  # {"sheets": [sheet index, …], "columns": {"sheet index": {"column index": key or ""}}}


def cell_text(value: Any) -> str:
    """A cell as the preview and header matching read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SourceColumn:
    index: int
    header: str  # as shown: "责任单位 / 牵头单位"
    key: str  # header_key of the whole header: what a saved choice is filed under
    candidates: tuple[str, ...] = ()
    field: str = ""  # the importer column it feeds; "" when it is not kept
    how: str = ""
    note: str = ""  # why it is not kept
    samples: list[str] = _field(default_factory=list)

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def kept(self) -> bool:
        return bool(self.field)

    @property
    def how_label(self) -> str:
        return {NAME: _("模板列名"), SYNONYM: _("同义列名"), KEYWORD: _("列名含关键词"), SAVED: _("上次的选择"),
                CHOSEN: _("本次选择")}.get(self.how, "")


@dataclass
class SheetPlan:
    index: int
    data: SheetData
    header_row: int | None = None  # 0-based
    depth: int = 1
    columns: list[SourceColumn] = _field(default_factory=list)
    selected: bool = False
    skip: str = ""  # why the sheet is not read

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def table(self) -> bool:
        return self.header_row is not None

    @property
    def first_data_row(self) -> int:
        return (self.header_row or 0) + self.depth

    @property
    def header_lines(self) -> str:
        if self.header_row is None:
            return ""
        if self.depth == 1:
            return _("第 %(r)d 行") % {"r": self.header_row + 1}
        return _("第 %(a)d–%(b)d 行") % {"a": self.header_row + 1, "b": self.header_row + self.depth}

    def field_columns(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field}

    def listed_columns(self) -> list[SourceColumn]:
        """Columns with a header or with data (an empty column outside the table is not worth a line)."""
        return [c for c in self.columns if c.header or c.samples]


@dataclass
class SourceRow:
    sheet: str  # "" when one sheet is read
    line: int  # 1-based row number in its sheet
    raw: dict[str, Any]


@dataclass
class PreviewCell:
    text: str
    error: str = ""


class Plan:
    """Where an import reads its rows from: the sheets, each one's header and column mapping."""

    def __init__(self, columns: Sequence[Column], sheets: list[SheetPlan], heading_key: str | None = None) -> None:
        self.columns = list(columns)
        self.sheets = sheets
        self.heading_key = heading_key
        self._by_key = {c.key: c for c in self.columns}
        self.row_notes: list[str] = []

    # -- what was found
    @property
    def table_found(self) -> bool:
        return any(s.table for s in self.sheets)

    @property
    def selected(self) -> list[SheetPlan]:
        return [s for s in self.sheets if s.selected]

    def label(self, key: str) -> str:
        column = self._by_key.get(key)
        return column.header if column else key

    def missing(self, sheet: SheetPlan | None = None) -> list[Column]:
        """Required columns no source column feeds (in ``sheet``, or in any selected sheet)."""
        out: list[Column] = []
        for s in [sheet] if sheet is not None else self.selected:
            have = s.field_columns()
            out += [c for c in self.columns if c.required and c.key not in have and c not in out]
        return out

    def conflicts(self) -> list[str]:
        """Importer columns that the choices made feed from two source columns."""
        out = []
        for s in self.selected:
            seen: dict[str, SourceColumn] = {}
            for c in s.columns:
                if c.field and c.field in seen:
                    out.append(_("“%(f)s”对应了 %(a)s 列和 %(b)s 列，只能选一列") % {
                        "f": self.label(c.field), "a": seen[c.field].letter, "b": c.letter})
                seen.setdefault(c.field, c)
        return out

    def not_kept(self) -> list[tuple[SheetPlan, SourceColumn]]:
        """Source columns whose content will not be imported, in every sheet that is read."""
        return [(s, c) for s in self.selected for c in s.listed_columns() if not c.kept]

    @property
    def needs_review(self) -> bool:
        """Whether someone should look at the mapping before the import: a column with data that is not kept
        (unless a saved or a made choice said so; it might be what a missing column is called), or several
        sheets with a table."""
        if sum(1 for s in self.sheets if s.table) > 1:
            return True
        return any(c.samples and c.how not in (SAVED, CHOSEN) for _s, c in self.not_kept())

    def notes(self) -> list[str]:
        """What the import leaves out, for the result: sheets not read, columns not kept, heading rows."""
        out = []
        for s in self.sheets:
            if not s.selected and any(not blank(v) for row in s.data.rows for v in row):
                out.append(_("工作表“%(s)s”未导入：%(r)s") % {"s": s.name, "r": s.skip or _("未选择")})
        multi = len(self.selected) > 1
        for s, c in self.not_kept():
            if c.samples:
                where = _("工作表“%(s)s”的") % {"s": s.name} if multi else ""
                out.append(_("%(w)s%(l)s 列“%(h)s”未导入（%(n)s）") % {
                    "w": where, "l": c.letter, "h": c.header or _("无表头"), "n": c.note})
        return out + self.row_notes

    # -- the rows
    def rows(self) -> list[SourceRow]:
        out: list[SourceRow] = []
        limit = settings.ANZHI_IMPORT_MAX_ROWS
        multi = len(self.selected) > 1
        self.row_notes = []
        for s in self.selected:
            for row in self._sheet_rows(s, s.name if multi else "", self.row_notes):
                out.append(row)
                if len(out) > limit:
                    raise too_many_rows(len(out))
        return out

    def _sheet_rows(self, sheet: SheetPlan, name: str, notes: list[str], stop: int | None = None) -> list[SourceRow]:
        grid = sheet.data.rows
        mapped = list(sheet.field_columns().items())
        wide = _wide_rows(sheet.data)
        heading = ""
        out: list[SourceRow] = []
        for r in range(sheet.first_data_row, len(grid)):
            row = grid[r]
            raw = {key: row[c] for key, c in mapped}
            if all(blank(v) for v in raw.values()):
                continue
            if r in wide and _heading(row, [c for _k, c in mapped]):
                heading = _heading(row, [c for _k, c in mapped])  # （一）实施打通消防车通道工程
                if not self.heading_key:
                    notes.append(_("第 %(r)d 行“%(t)s”是跨列合并的标题行，未作为数据导入") % {
                        "r": r + 1, "t": heading[:40]})
                continue
            if self.heading_key and heading and blank(raw.get(self.heading_key)):
                raw[self.heading_key] = heading
            out.append(SourceRow(name, r + 1, raw))
            if stop is not None and len(out) >= stop:
                break
        return out

    def preview(self, sheet: SheetPlan, n: int = PREVIEW_ROWS) -> tuple[list[Column], list[tuple[int, list[PreviewCell]]]]:
        """The first ``n`` rows of ``sheet`` as the import will read them: per kept importer column, the cell's
        text and what its parser says of it."""
        shown = [c for c in self.columns if c.key in sheet.field_columns() or c.key == self.heading_key]
        rows = []
        for src in self._sheet_rows(sheet, "", [], stop=n):
            cells = []
            for column in shown:
                value = src.raw.get(column.key)
                error = ""
                if column.parse is not None:
                    try:
                        column.parse(value)
                    except ValueError as exc:
                        error = str(exc)
                cells.append(PreviewCell(cell_text(value), error))
            rows.append((src.line, cells))
        return shown, rows

    # -- the choices, to store and to reuse
    def mapping(self) -> Mapping:
        return {"sheets": [s.index for s in self.selected],
                "columns": {str(s.index): {str(c.index): c.field for c in s.listed_columns()} for s in self.selected}}

    def header_choices(self) -> dict[str, str]:
        """{header key: importer column or ""} of every column read, to file as the context's saved mapping."""
        return {c.key: c.field for s in self.selected for c in s.listed_columns() if c.key}

    def as_dict(self) -> dict[str, Any]:
        """The mapping preview as plain data (for an API or another page)."""
        sheets = []
        for s in self.sheets:
            shown, rows = self.preview(s) if s.table else ([], [])
            sheets.append({
                "index": s.index, "name": s.name, "table": s.table, "selected": s.selected, "skip": s.skip,
                "header_rows": [s.header_row + 1 + k for k in range(s.depth)] if s.table else [],
                "columns": [{"letter": c.letter, "header": c.header, "field": c.field,
                             "label": self.label(c.field) if c.field else "", "how": c.how, "kept": c.kept,
                             "note": c.note, "samples": c.samples} for c in s.listed_columns()],
                "missing": [c.header for c in self.missing(s)] if s.table else [],
                "rows": [{"line": line, "cells": {c.key: {"text": cell.text, "error": cell.error}
                                                  for c, cell in zip(shown, cells, strict=True)}}
                         for line, cells in rows]})
        return {"fields": [{"key": c.key, "label": c.header, "required": c.required} for c in self.columns],
                "sheets": sheets, "conflicts": self.conflicts(), "needs_review": self.needs_review}


def plan_book(book: list[SheetData], columns: Sequence[Column], *, saved: dict[str, str] | None = None,
              chosen: Mapping | None = None, header_found: Callable[[set[str]], bool] | None = None,
              heading_key: str | None = None) -> Plan:
    """Find the table in each sheet, map its columns and choose the sheets to read (module docstring)."""
    known = {c.key for c in columns}
    saved = {k: v for k, v in (saved or {}).items() if v in known or v == ""}
    found = header_found or (lambda keys: len(keys) >= min(2, len(columns)))
    names = _name_index(columns)
    sheets = []
    for index, data in enumerate(book):
        sheet = SheetPlan(index, data)
        for r in range(min(HEADER_SCAN_ROWS, len(data.rows))):
            depth = 2 if _two_rows(data, r) else 1
            mapped = _map_header(data, r, depth, columns, names, saved)
            if found({c.field for c in mapped if c.field}):
                sheet.header_row, sheet.depth, sheet.columns = r, depth, mapped
                break
        else:
            sheet.skip = _("没有找到表头（说明页或空表）")
        sheets.append(sheet)
    plan = Plan(columns, sheets, heading_key)
    for sheet in sheets:
        if sheet.table:
            _fill_samples(sheet)
    tables = [s for s in sheets if s.table]
    for s in tables:
        if not s.data.visible:
            s.skip = _("隐藏的工作表")
    if chosen is not None:
        wanted = {int(i) for i in chosen.get("sheets", []) if str(i).isdigit()}
        for s in tables:
            s.selected = s.index in wanted
            _choose(s, chosen.get("columns", {}).get(str(s.index), {}), known)
    else:
        candidates = [s for s in tables if s.data.visible] or tables
        complete = [s for s in candidates if not plan.missing(s)]
        for s in complete or candidates[:1]:
            s.selected = True
    for s in tables:
        if not s.selected and not s.skip:
            s.skip = _("缺少必需的列") if plan.missing(s) else _("未选择")
    return plan


def _name_index(columns: Sequence[Column]) -> dict[str, tuple[str, str]]:
    index: dict[str, tuple[str, str]] = {}
    for c in columns:
        for synonym in c.synonyms:
            index.setdefault(header_key(synonym), (c.key, SYNONYM))
    for c in columns:  # a template name wins over another column's synonym
        index[header_key(c.header)] = (c.key, NAME)
    return index


def _two_rows(data: SheetData, r: int) -> bool:
    """Is row ``r`` the top of a two-row header? It must hold several values, a cell merged across columns
    with sub-headers under it, and nothing below it but those sub-headers and cells merged down from it."""
    rows = data.rows
    if r + 1 >= len(rows) or len({cell_text(v) for v in rows[r] if not blank(v)}) < 2:
        return False
    across = {c for r0, c0, r1, c1 in data.merges if r0 == r1 == r and c1 > c0 for c in range(c0, c1 + 1)}
    down = {c for r0, c0, r1, c1 in data.merges if r0 == r and r1 > r for c in range(c0, c1 + 1)}
    if len(across) >= data.width:
        return False  # a title over the whole table
    below = [c for c, v in enumerate(rows[r + 1]) if not blank(v)]
    return any(c in across for c in below) and all(c in across or c in down for c in below)


def _map_header(data: SheetData, r: int, depth: int, columns: Sequence[Column],
                names: dict[str, tuple[str, str]], saved: dict[str, str]) -> list[SourceColumn]:
    down = {c for r0, c0, r1, c1 in data.merges if r0 <= r and r1 > r for c in range(c0, c1 + 1)} if depth > 1 else set()
    out: list[SourceColumn] = []
    taken: dict[str, SourceColumn] = {}
    for c in range(data.width):
        top = cell_text(data.rows[r][c])
        sub = cell_text(data.rows[r + 1][c]) if depth > 1 and c not in down else ""
        parts = [p for p in (top, sub) if p]
        if sub and sub == top:
            parts = [top]
        key = header_key("".join(parts))[:MAX_KEY]
        candidates = tuple(dict.fromkeys(k for k in (key, header_key(sub), header_key(top)) if k))
        col = SourceColumn(c, " / ".join(parts)[:200], key, candidates)
        col.field, col.how = _match(col, columns, names, saved)
        if col.field and col.field in taken:
            col.note = _("与 %(l)s 列重复") % {"l": taken[col.field].letter}
            col.field = ""
        elif col.field:
            taken[col.field] = col
        elif col.how == SAVED:
            col.note = _("上次选择不导入")
        else:
            col.note = _("没有对应的字段") if col.header else _("没有表头")
        out.append(col)
    return out


def _match(col: SourceColumn, columns: Sequence[Column], names: dict[str, tuple[str, str]],
           saved: dict[str, str]) -> tuple[str, str]:
    if col.key in saved:
        return saved[col.key], SAVED
    for candidate in col.candidates:
        if candidate in names:
            return names[candidate]
    for candidate in col.candidates:
        for c in columns:
            if any(k in candidate for k in c.keywords):
                return c.key, KEYWORD
    return "", ""


def _wide_rows(data: SheetData) -> set[int]:
    """Rows a merge across three or more columns covers: where group headings are."""
    return {r for r0, c0, r1, c1 in data.merges if c1 - c0 >= 2 for r in range(r0, r1 + 1)}


def _heading(row: list[Any], columns: list[int]) -> str:
    """The text of a heading row (one value, in every kept column), or ""."""
    filled = {v for v in row if not blank(v)}
    if len(filled) != 1:
        return ""
    value = next(iter(filled))
    return cell_text(value) if all(row[c] == value for c in columns) else ""


def _fill_samples(sheet: SheetPlan) -> None:
    wide, kept = _wide_rows(sheet.data), [c.index for c in sheet.columns if c.field]
    rows = [row for r, row in enumerate(sheet.data.rows[sheet.first_data_row:], start=sheet.first_data_row)
            if r not in wide or not _heading(row, kept)]
    for col in sheet.columns:
        # A value met again changes nothing (its text is already a sample, or the column is full), so each
        # distinct value is looked at once: a 是/否 column of 50,000 rows never fills SAMPLES and was read whole.
        # (Keyed with its type: 1, 1.0 and True read differently.) Texts cut to 60 are not skipped, as before.
        seen: set[tuple[type, Any]] = set()
        index = col.index
        for row in rows:
            value = row[index]
            key = (value.__class__, value)
            if key in seen:
                continue
            if not blank(value):
                text = cell_text(value)
                if text not in col.samples:
                    col.samples.append(text[:60])
                if len(col.samples) >= SAMPLES:
                    break
                if len(text) > 60:
                    continue
            seen.add(key)


def _choose(sheet: SheetPlan, choices: dict[str, str], known: set[str]) -> None:
    for col in sheet.columns:
        choice = choices.get(str(col.index))
        if choice is None or (choice and choice not in known):
            continue
        if choice != col.field or not choice:
            col.field, col.how = choice, CHOSEN
        col.note = "" if choice else _("选择不导入")
