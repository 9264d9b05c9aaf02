"""Reading uploaded .xlsx tables (python-calamine: fast, read-only) and writing templates (``core.xlsx``).

Shared by every import: headers are matched by their Chinese text (ignoring '*', spaces and full-width
brackets), so a county office may reorder or add columns.

Limits (settings ``ANZHI_IMPORT_MAX_BYTES`` and ``ANZHI_IMPORT_MAX_ROWS``) are enforced here, before
rows are read: the upload's size and unpacked size first, then the row count the sheet declares
(``<dimension>``), then the sheet's real height once calamine has parsed it, and the exact number of
data rows under the header. Every refusal is a ValidationError with a Chinese message."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineSheet, load_workbook

from core.xlsx import Style, Workbook

# Rows a sheet may hold above its data (title, note, header) without counting against the ceiling.
HEADER_ALLOWANCE = 15
# An .xlsx is a zip of XML: a sane sheet unpacks to ~10 times its size; a zip bomb to thousands.
MAX_UNPACK_RATIO = 30
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+(\d+)(?::[A-Z]+(\d+))?\"")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _file_size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(pos)
    return int(size)


def too_many_rows(rows: int) -> ValidationError:
    return ValidationError(_("表格有 %(n)d 行数据，超过每次导入 %(m)d 行的上限；请拆分成几个文件分批导入。") % {
        "n": rows, "m": settings.ANZHI_IMPORT_MAX_ROWS}, code="too_many_rows")


def check_file(file: Any) -> int | None:
    """Refuse a file that is too large, packed or unpacked, or that declares too many rows, before any
    row is parsed. Returns the number of rows the first sheet declares (None when it declares none)."""
    size = _file_size(file)
    limit = settings.ANZHI_IMPORT_MAX_BYTES
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > limit:
        raise ValidationError(_("文件大小为 %(s)s，超过导入文件 %(m)s 的上限；请拆分成几个文件分批导入。") % {
            "s": _mb(size), "m": _mb(limit)}, code="too_large")
    declared = None
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limit * MAX_UNPACK_RATIO:
                raise ValidationError(_("文件解压后有 %(s)s，不像是正常的 Excel 表格，请检查后重新上传。") % {
                    "s": _mb(unpacked)}, code="too_large")
            declared = _declared_rows(archive)
    except zipfile.BadZipFile:
        pass  # not a zip: calamine reports an unreadable file in its own words
    finally:
        file.seek(0)
    if declared is not None and declared > settings.ANZHI_IMPORT_MAX_ROWS + HEADER_ALLOWANCE:
        raise too_many_rows(declared - 1)
    return declared


def _declared_rows(archive: zipfile.ZipFile) -> int | None:
    """The last row of the first sheet's ``<dimension ref="A1:P20001"/>``, read from its first bytes."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
        rid = re.search(rb"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", book)
        if rid is None:
            return None
        target = re.search(rb"<Relationship\b[^>]*Id=\"" + re.escape(rid.group(1)) + rb"\"[^>]*Target=\"([^\"]+)\"",
                           rels) or re.search(rb"<Relationship\b[^>]*Target=\"([^\"]+)\"[^>]*Id=\""
                                              + re.escape(rid.group(1)) + rb"\"", rels)
        if target is None:
            return None
        path = target.group(1).decode().lstrip("/")
        path = path if path.startswith("xl/") else f"xl/{path}"
        with archive.open(path) as sheet:
            head = sheet.read(4096)
    except (KeyError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    match = _DIMENSION.search(head)
    if match is None:
        return None
    return int(match.group(2) or match.group(1))


def open_sheet(file: IO[bytes] | Any) -> CalamineSheet:
    """The first sheet of an uploaded workbook, within the import limits (see the module docstring)."""
    check_file(file)
    try:
        sheet = load_workbook(file).get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise ValidationError(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件（%(e)s）") % {"e": exc},
                              code="unreadable") from exc
    if sheet.height > settings.ANZHI_IMPORT_MAX_ROWS + HEADER_ALLOWANCE:
        raise too_many_rows(sheet.height - 1)
    return sheet


def count_rows(file: IO[bytes] | Any) -> int:
    """How many rows the first sheet holds (header included), within the limits: decides whether an
    import runs in the request or in the background."""
    declared = check_file(file)
    if declared is not None:
        return declared
    height = open_sheet(file).height
    file.seek(0)
    return height


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
    row above it). Blank rows are skipped. A file beyond the import limits is refused (ValidationError)."""
    table = open_sheet(file).to_python(skip_empty_area=False)
    by_header = {header_key(c.header): c for c in columns}
    header_index = None
    mapping: dict[int, Column] = {}
    for i, row in enumerate(table[:10]):
        found = {j: by_header[header_key(v)] for j, v in enumerate(row) if header_key(v) in by_header}
        if len(found) >= 2:
            header_index, mapping = i, found
            break
    if header_index is None:
        raise ValidationError(_("没有找到表头行，请使用下载的导入模板。"))
    present = {c.key for c in mapping.values()}
    missing = [c.header for c in columns if c.required and c.key not in present]
    out: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(table[header_index + 1:], start=header_index + 2):
        values = {col.key: row[j] if j < len(row) else None for j, col in mapping.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        out.append((i, values))
        if len(out) > settings.ANZHI_IMPORT_MAX_ROWS:
            raise too_many_rows(len(out))
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
