"""Reading uploaded .xlsx workbooks (python-calamine: fast, read-only) within the import limits, the cell
parsers importers share, and import templates (written through ``core.xlsx``).

This is the only module that opens an uploaded workbook. :func:`read_book` returns every worksheet as a
grid from A1 with merged ranges filled from their top-left cell (a merged 责任单位 over two columns reads
as 责任单位 in both) and text cleaned of control characters (NUL and the like, which a database refuses);
header detection and column mapping happen on top of it, in ``core.imports.reader``.

Limits (settings ``ANZHI_IMPORT_MAX_BYTES`` and ``ANZHI_IMPORT_MAX_ROWS``, and :data:`MAX_COLUMNS`) are
enforced here, before rows are read: the upload's size and unpacked size first, then the extent every
sheet declares (``<dimension>``), then each sheet's real extent once calamine has parsed it; the exact
number of data rows under the header is counted when rows are read. Every refusal is a ValidationError
with a Chinese message."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, SheetTypeEnum, SheetVisibleEnum, load_workbook

from core.xlsx import Style, Workbook

# Rows a sheet may hold above its data (title, note, header) without counting against the ceiling.
HEADER_ALLOWANCE = 15
# Columns a sheet may span: an import table has a few dozen; a sheet that claims thousands is a memory bomb
# (calamine holds every sheet as a dense grid).
MAX_COLUMNS = 256
# An .xlsx is a zip of XML: a sane sheet unpacks to ~10 times its size; a zip bomb to thousands.
MAX_UNPACK_RATIO = 30
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_SHEET_RID = re.compile(rb"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"")
# What a database or XML cannot hold: C0 controls but tab, LF and CR; lone surrogates; the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def too_many_columns(columns: int) -> ValidationError:
    return ValidationError(_("表格有 %(n)d 列，超过 %(m)d 列的上限，请删去多余的列后重新上传。") % {
        "n": columns, "m": MAX_COLUMNS}, code="too_many_columns")


def unreadable(exc: Exception) -> ValidationError:
    return ValidationError(_("无法读取该文件，请上传 .xlsx 格式的 Excel 文件（%(e)s）") % {"e": exc}, code="unreadable")


def _check_extent(rows: int, columns: int) -> None:
    if rows > settings.ANZHI_IMPORT_MAX_ROWS + HEADER_ALLOWANCE:
        raise too_many_rows(rows - 1)
    if columns > MAX_COLUMNS:
        raise too_many_columns(columns)


def check_file(file: Any) -> int | None:
    """Refuse a file that is too large, packed or unpacked, or whose sheets declare too many rows or columns,
    before any row is parsed. Returns the rows all sheets declare together (None when one declares none)."""
    size = _file_size(file)
    limit = settings.ANZHI_IMPORT_MAX_BYTES
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > limit:
        raise ValidationError(_("文件大小为 %(s)s，超过导入文件 %(m)s 的上限；请拆分成几个文件分批导入。") % {
            "s": _mb(size), "m": _mb(limit)}, code="too_large")
    declared: list[tuple[int, int] | None] = [None]
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limit * MAX_UNPACK_RATIO:
                raise ValidationError(_("文件解压后有 %(s)s，不像是正常的 Excel 表格，请检查后重新上传。") % {
                    "s": _mb(unpacked)}, code="too_large")
            declared = _declared_extents(archive)
    except zipfile.BadZipFile:
        pass  # not a zip: calamine reports an unreadable file in its own words
    finally:
        file.seek(0)
    for extent in declared:
        if extent is not None:
            _check_extent(*extent)
    if any(extent is None for extent in declared):
        return None
    return sum(rows for rows, _cols in declared)  # type: ignore[misc]


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _declared_extents(archive: zipfile.ZipFile) -> list[tuple[int, int] | None]:
    """(last row, last column) of each sheet's ``<dimension ref="A1:P20001"/>``, read from its first bytes."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, OSError, zipfile.BadZipFile):
        return [None]
    out: list[tuple[int, int] | None] = []
    for rid in _SHEET_RID.findall(book):
        target = re.search(rb"<Relationship\b[^>]*Id=\"" + re.escape(rid) + rb"\"[^>]*Target=\"([^\"]+)\"", rels) \
            or re.search(rb"<Relationship\b[^>]*Target=\"([^\"]+)\"[^>]*Id=\"" + re.escape(rid) + rb"\"", rels)
        match = None
        if target is not None:
            path = target.group(1).decode(errors="replace").lstrip("/")
            path = path if path.startswith("xl/") else f"xl/{path}"
            try:
                with archive.open(path) as sheet:
                    match = _DIMENSION.search(sheet.read(4096))
            except (KeyError, OSError, zipfile.BadZipFile):
                match = None
        if match is None:
            out.append(None)
            continue
        out.append((int(match.group(4) or match.group(2)), _column_number(match.group(3) or match.group(1))))
    return out or [None]


@dataclass
class SheetData:
    """One worksheet as read: ``rows`` from A1, every row as wide as the sheet, merged ranges filled from their
    top-left cell; ``merges`` as (first row, first column, last row, last column), 0-based, within the grid."""

    name: str
    visible: bool
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def clean_cell(value: Any) -> Any:
    if value.__class__ is str and not value.isprintable():
        return _CONTROL.sub("", value)
    return value


def read_book(file: IO[bytes] | Any) -> list[SheetData]:
    """Every worksheet of an uploaded workbook (chart sheets left out), within the import limits."""
    check_file(file)
    try:
        book = load_workbook(file)
        metadata = book.sheets_metadata
    except (CalamineError, ValueError, OSError) as exc:
        raise unreadable(exc) from exc
    sheets = []
    for meta in metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            end = sheet.end
            if end is not None:
                _check_extent(end[0] + 1, end[1] + 1)
            grid = sheet.to_python(skip_empty_area=False)
            merges = list(sheet.merged_cell_ranges or [])
        except (CalamineError, ValueError, OSError) as exc:
            raise unreadable(exc) from exc
        sheets.append(_sheet_data(str(meta.name), meta.visible == SheetVisibleEnum.Visible, grid, merges))
    file.seek(0)
    return sheets


def _sheet_data(name: str, visible: bool, grid: list[list[Any]], merges: list[Any]) -> SheetData:
    # clean_cell inlined: it runs once per cell (a million for a 50,000-row list).
    sub = _CONTROL.sub
    rows = [[sub("", v) if v.__class__ is str and not v.isprintable() else v for v in row] for row in grid]
    width = max([len(r) for r in rows] + [0])
    for row in rows:
        row.extend([""] * (width - len(row)))
    inside: list[tuple[int, int, int, int]] = []
    for (r0, c0), (r1, c1) in merges:
        # A merge reaching beyond the cells holds nothing there: clamp it (a declared A1:XFD1048576 is no bomb).
        r1, c1 = min(r1, len(rows) - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1:
            continue
        inside.append((r0, c0, r1, c1))
        value = rows[r0][c0]
        for r in range(r0, r1 + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                row[c] = value
    return SheetData(name, visible, rows, inside)


def count_rows(file: IO[bytes] | Any) -> int:
    """How many rows the workbook's sheets hold together (headers included), within the limits: decides
    whether an import runs in the request or in the background."""
    declared = check_file(file)
    if declared is not None:
        return declared
    height = sum(len(sheet.rows) for sheet in read_book(file))
    file.seek(0)
    return height


_HEADER_NOISE = re.compile(r"[\s*＊（）()]")


def header_key(text: Any) -> str:
    return _HEADER_NOISE.sub("", str(text or ""))


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """A column an importer knows: its template header, the key its value goes under, whether the file must
    have it, the template's tip and width; how a cell is read (``parse``: raw cell → value, a ValueError's
    message reports the cell; by default the raw cell), and the other headers that mean it: ``synonyms``
    (the same after :func:`header_key`) and ``keywords`` (a header containing one, tried in column order
    after every exact name)."""

    header: str
    key: str
    required: bool = False
    help: str = ""
    width: int = 16
    parse: Parser | None = None
    synonyms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def read_rows(file: IO[bytes] | Any, columns: Sequence[Column]) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Return ([(excel row number, {key: raw value})], [missing required headers]) of the table the columns
    describe, read as every import reads it (``core.imports.reader``); a file without such a table, or beyond
    the import limits, is refused (ValidationError)."""
    from core.imports.reader import plan_book

    plan = plan_book(read_book(file), columns)
    if not plan.table_found:
        raise ValidationError(_("没有找到表头行，请使用下载的导入模板。"))
    return [(row.line, row.raw) for row in plan.rows()], [c.header for c in plan.missing()]


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def text_up_to(max_length: int) -> Parser:
    """Text no longer than the field holds (a database refuses longer text, PostgreSQL loudly)."""

    def parse(value: Any) -> str:
        out = text(value)
        if len(out) > max_length:
            raise ValueError(_("不能超过 %(n)d 个字（现有 %(m)d 个）") % {"n": max_length, "m": len(out)})
        return out

    return parse


def nonblank(parse: Parser) -> Parser:
    """``parse``, refusing a cell that reads as nothing."""

    def required(value: Any) -> Any:
        out = parse(value)
        if out is None or out == "":
            raise ValueError(_("必填项为空"))
        return out

    return required


def to_bool(value: Any) -> bool | None:
    """是/否 (and the usual variants); None when blank; raises ValueError otherwise."""
    if blank(value):
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


INT_MAX = 2_147_483_647  # what every database's integer column holds


def _number(value: Any) -> float:
    try:
        f = float(str(value).strip().replace(",", ""))
    except ValueError as exc:
        raise ValueError(f"“{value}”不是数字") from exc
    if not math.isfinite(f):
        raise ValueError(f"“{value}”不是数字")
    return f


def to_int(value: Any) -> int | None:
    if blank(value):
        return None
    f = _number(value)
    if not f.is_integer() or f < 0:
        raise ValueError(f"“{value}”应为非负整数")
    if f > INT_MAX:
        raise ValueError(f"“{value}”太大")
    return int(f)


def to_decimal_text(value: Any) -> str | None:
    if blank(value):
        return None
    return str(round(_number(value), 6))


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST = (dt.date(9999, 12, 31) - _EXCEL_EPOCH).days


def to_date(value: Any) -> dt.date | None:
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial number that was not typed as a date.
        if not (math.isfinite(value) and 0 < value <= _EXCEL_LAST):
            raise ValueError(f"“{value}”不是日期（应如 2026-05-31）")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
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
