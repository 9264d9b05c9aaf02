"""Reading uploaded .xlsx tables (python-calamine: fast, read-only) and writing templates (``core.xlsx``).

Shared by the enterprise import and the ledger imports: headers are matched by their Chinese text
(ignoring '*', spaces and full-width brackets), so a county office may reorder or add columns."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from python_calamine import CalamineError, load_workbook

from core.xlsx import Style, Workbook

_HEADER_NOISE = re.compile(r"[\s*＊（）()]")


def header_key(text: Any) -> str:
    return _HEADER_NOISE.sub("", str(text or ""))


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    help: str = ""
    width: int = 16


def read_rows(file: IO[bytes] | Any, columns: Sequence[Column]) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Return ([(excel row number, {key: raw value})], [missing required headers]).

    The header row is the first row that names at least two known columns (templates may carry a title
    row above it). Blank rows are skipped."""
    try:
        book = load_workbook(file)
        table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise ValidationError(f"无法读取该文件，请上传 .xlsx 格式的 Excel 文件（{exc}）") from exc
    by_header = {header_key(c.header): c for c in columns}
    header_index = None
    mapping: dict[int, Column] = {}
    for i, row in enumerate(table[:10]):
        found = {j: by_header[header_key(v)] for j, v in enumerate(row) if header_key(v) in by_header}
        if len(found) >= 2:
            header_index, mapping = i, found
            break
    if header_index is None:
        raise ValidationError("没有找到表头行，请使用下载的导入模板。")
    present = {c.key for c in mapping.values()}
    missing = [c.header for c in columns if c.required and c.key not in present]
    out: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(table[header_index + 1:], start=header_index + 2):
        values = {col.key: row[j] if j < len(row) else None for j, col in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        out.append((i, values))
    return out, missing


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def to_bool(value: Any) -> bool | None:
    """是/否 (and the usual variants); None when blank; raises ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    v = str(value).strip().lower()
    if v in {"是", "有", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if v in {"否", "无", "n", "no", "false", "0", "×"}:
        return False
    raise ValueError(f"“{value}”应填“是”或“否”")


def to_int(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        f = float(str(value).strip().replace(",", ""))
    except ValueError as exc:
        raise ValueError(f"“{value}”不是数字") from exc
    if not f.is_integer() or f < 0:
        raise ValueError(f"“{value}”应为非负整数")
    return int(f)


def to_decimal_text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return str(round(float(str(value).strip()), 6))
    except ValueError as exc:
        raise ValueError(f"“{value}”不是数字") from exc


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def to_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):  # an Excel serial number that was not typed as a date
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    v = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{value}”不是日期（应如 2026-05-31）")


def template_bytes(sheet: str, columns: Sequence[Column], note: str = "",
                   rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """An import template: an optional note row, bold headers (required ones red with '*'), tips as comments."""
    book = Workbook()
    ws = book.sheet(sheet)
    head = Style(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    req = Style(bold=True, bg_color="#DDEBF7", border=1, font_color="#C00000", text_wrap=True)
    wrap = Style(text_wrap=True, font_color="#555555")
    start = 0
    if note:
        ws.merge(0, 0, 0, max(len(columns) - 1, 1), note, wrap)
        ws.set_row(0, 48)
        start = 1
    for j, col in enumerate(columns):
        ws.write(start, j, f"{col.header}*" if col.required else col.header, req if col.required else head)
        ws.set_column(j, j, col.width)
        if col.help:
            ws.comment(start, j, col.help)
    for i, row in enumerate(rows, start=start + 1):
        ws.write_row(i, row)
    ws.freeze_panes(start + 1, 0)
    return book.getvalue()
