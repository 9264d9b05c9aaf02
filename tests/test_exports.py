"""Every generated file writes user text as text (issue 9, item 4).

The test walks the URL patterns: every view that declares a download (core.export.download, or a
ScopedListView with export columns) is fetched with formula-like text in the data, through every
declared argument and query; a URL that looks like a download but declares nothing fails the test.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from core.export import Download
from core.xlsx import Style, Workbook, formula_like
from tests.hostile import MARK, P_AT, P_CR, P_DDE, P_EQ, P_FULL, P_MINUS, P_TAB
from tests.personas import World

PERSONAS = ("office", "auditadmin", "sysadmin")  # whoever may fetch the file


def _url_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                yield namespace, p

    yield from walk(get_resolver().url_patterns, "")


def declared_download(callback: Any) -> Download | None:
    return getattr(callback, "download", None) or getattr(getattr(callback, "view_class", None), "download", None)


def downloads() -> list[tuple[str, URLPattern, Download]]:
    return [(f"{ns}{p.name}", p, spec) for ns, p in _url_patterns()
            if (spec := declared_download(p.callback)) is not None]


def _looks_like_a_download(ns: str, p: URLPattern) -> bool:
    route = str(p.pattern)
    name = p.name or ""
    return (any(s in route for s in (".xlsx", ".docx", "<str:fmt>", "export"))
            or any(s in name for s in ("export", "template", "download")))


def test_every_url_that_looks_like_a_download_declares_how_to_reach_it() -> None:
    undeclared = [f"{ns}{p.name} {p.pattern}" for ns, p in _url_patterns()
                  if _looks_like_a_download(ns, p) and declared_download(p.callback) is None]
    assert not undeclared, f"declare these with core.export.download(...): {undeclared}"
    assert len(downloads()) >= 15  # the walk itself works


def test_only_core_writes_spreadsheets() -> None:
    """One writer: xlsxwriter and openpyxl are imported by core/xlsx.py alone (tests and benchmarks
    build their own input files)."""
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        rel = path.relative_to(settings.BASE_DIR).as_posix()
        if rel.startswith((".venv/", "bench/", "tests/")) or "/tests/" in rel or "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if ("import xlsxwriter" in text or "openpyxl" in text) and rel != "core/xlsx.py":
            offenders.append(rel)
    assert not offenders


def _arg_values(value: Any) -> list[Any]:
    if isinstance(value, type) and issubclass(value, models.Model):
        newest = value._default_manager.order_by("-pk").first()
        assert newest is not None, f"no {value.__name__} to fetch a download with"
        return [newest.pk]
    if callable(value):
        return list(value())
    return list(value)


def _fetch(client: Client, world: World, url: str) -> Any:
    for persona in PERSONAS:
        client.force_login(world.users[persona])
        response = client.get(url)
        if response.status_code != 403:
            return response
    return response


def check_xlsx(data: bytes, where: str) -> list[str]:
    """Every cell that a spreadsheet could evaluate is text with the quote prefix; returns all texts."""
    texts = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", (where, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if formula_like(cell.value):
                        assert cell.quotePrefix, (where, cell.coordinate, cell.value)
    # Our own reader (calamine) must see the same text, not a formula result.
    for sheet in CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names:
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()
    return texts


def test_every_download_writes_user_text_as_text(client: Client, world: World, hostile: dict[str, Any]) -> None:
    from risk.documents import docx_text

    fetched = 0
    for name, pattern, spec in downloads():
        arg_names = list(pattern.pattern.converters)
        missing = [a for a in arg_names if a not in spec.args]
        assert not missing, f"{name}: declare the URL arguments {missing} in its download(...)"
        choices = [_arg_values(spec.args[a]) for a in arg_names]
        for values in itertools.product(*choices):
            base = reverse(name, kwargs=dict(zip(arg_names, values, strict=True)))
            for query in spec.queries:
                url = base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
                response = _fetch(client, world, url)
                assert response.status_code == 200, (url, response.status_code)
                kind = response["Content-Type"].rsplit(".", 1)[-1]
                assert kind in ("sheet", "document", "application/zip", "application/geo+json"), (
                    url, response["Content-Type"])
                if kind == "application/geo+json":  # map outlines: JSON, read by GIS tools, never evaluated
                    text = json.dumps(json.loads(response.content))
                elif kind == "application/zip":  # a package of text files (a draw's verification files)
                    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                        text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
                elif kind == "sheet":
                    text = "\n".join(check_xlsx(response.content, url))
                else:
                    text = docx_text(response.content)
                if spec.user_text:
                    assert MARK in text, f"{url}: the hostile text did not reach the file"
                fetched += 1
    assert fetched >= 30


def test_exported_enterprise_list_imports_back_unchanged(client: Client, world: World,
                                                         hostile: dict[str, Any]) -> None:
    """Quote prefixes are a cell attribute, not part of the value: '-5' and '+86 …' round-trip."""
    from enterprises.importer import import_enterprises

    client.force_login(world.users["office"])
    export = client.get("/enterprises/", {"export": "xlsx", "q": hostile["enterprise"].credit_code})
    ent = hostile["enterprise"]
    result = import_enterprises(actor=world.user("office"), file=io.BytesIO(export.content))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    ent.refresh_from_db()
    assert (ent.name, ent.address, ent.legal_representative, ent.phone) == (
        f"{P_EQ}企业", P_DDE, P_MINUS, "+86 138 0000 0000")


@given(st.lists(st.one_of(st.text(max_size=40), st.integers(-10**12, 10**12),
                          st.sampled_from([P_EQ, P_DDE, P_MINUS, P_AT, P_FULL, P_TAB, P_CR, "-5", "+86 138"])),
                min_size=1, max_size=12))
def test_writer_keeps_every_value_and_never_writes_a_formula(values: list[Any]) -> None:
    book = Workbook()
    ws = book.sheet("t")
    ws.write_row(0, values, Style(border=1))
    data = book.getvalue()
    check_xlsx(data, "hypothesis")
    back = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[0]
    for want, got in zip(values, back, strict=False):
        if isinstance(want, str):
            want = "".join(ch for ch in want if ch in "\t\n\r" or ch >= " ")
            if want:
                assert got == want
        else:
            assert got == want
