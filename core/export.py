"""Excel export: any list exactly as filtered, streamed row by row with constant memory (written by
``core.xlsx``, so user text is never a formula)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path

from core.xlsx import Style, Workbook


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return str(value)


def xlsx_bytes(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook(constant_memory=True)
    ws = book.sheet(sheet)
    head = Style(bold=True, bg_color="#DDEBF7", border=1)
    for col, title in enumerate(headers):
        ws.write(0, col, str(title), head)
        ws.set_column(col, col, max(10, min(40, len(str(title)) * 3)))
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            ws.write(r, col, _cell(value))
    ws.freeze_panes(1, 0)
    return book.getvalue()


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "geojson": "application/geo+json",
}


def file_response(data: bytes, filename: str) -> HttpResponse:
    """A generated file as an attachment; the content type follows the file name's extension."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def xlsx_response(filename: str, sheet: str, columns: Sequence[tuple[str, Callable[[Any], Any]]],
                  objects: Iterable[Any]) -> HttpResponse:
    data = xlsx_bytes(sheet, [c[0] for c in columns], ([get(o) for _h, get in columns] for o in objects))
    return file_response(data, filename)


@dataclass(frozen=True)
class Download:
    """What a view that returns a generated file needs to be reached, declared next to the view.

    ``args`` gives each URL argument: a model class (the newest instance the user can see), a tuple of
    values, or a callable returning values. ``queries`` are the query strings to fetch it with.
    ``user_text`` is False for files that hold no user-entered text (fixed import templates).
    The export test walks the URL patterns, fetches every declared download with formula-like text in
    the data, and fails on a URL that looks like a download but declares nothing."""

    kinds: tuple[str, ...]
    args: Mapping[str, Any] = field(default_factory=dict)
    queries: tuple[Mapping[str, str], ...] = ({},)
    user_text: bool = True


V = TypeVar("V", bound=Callable[..., Any])


def download(*kinds: str, queries: tuple[Mapping[str, str], ...] = ({},), user_text: bool = True,
             **args: Any) -> Callable[[V], V]:
    """Mark a view function as returning a generated file (see :class:`Download`)."""

    def mark(view: V) -> V:
        view.download = Download(tuple(kinds), args, queries, user_text)  # type: ignore[attr-defined]
        return view

    return mark
