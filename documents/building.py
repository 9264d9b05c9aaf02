"""Building the shipped default templates with python-docx, reproducibly.

Each document type's ``build_default`` writes its layout with these helpers; ``scripts/build_doc_templates.py``
saves the results as ``<app>/data/templates/<key>.docx`` and a test checks that the committed files are
exactly what the builders make (same parts, same XML), so a layout is changed in code, reviewed as code,
and the .docx files are never edited by hand."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from documents.registry import DocumentType, all_types

FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def new_document() -> Any:
    """An empty python-docx document whose properties do not depend on when it was built."""
    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = "安治"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    props.title = props.subject = props.comments = props.keywords = props.category = ""
    return doc


def set_font(run: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def paragraph(doc: Any, text: str, *, font: str | None = None, size: float | None = None, bold: bool = False,
              align: str = "", first_line_indent: float | None = None, line_spacing: float | None = None,
              space_after: float | None = None) -> Any:
    """A paragraph of one run. ``text`` is template text: literal words and ``{{ variables }}``."""
    p = doc.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    if first_line_indent is not None:
        p.paragraph_format.first_line_indent = Pt(first_line_indent)
    if line_spacing is not None:
        p.paragraph_format.line_spacing = Pt(line_spacing)
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    run = p.add_run(text)
    if font:
        set_font(run, font, size, bold)
    else:
        run.bold = bold or None
        if size is not None:
            run.font.size = Pt(size)
    return p


def control(doc: Any, tag: str) -> Any:
    """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``): removed when rendered."""
    return doc.add_paragraph(tag)


def cell_text(cell: Any, text: str, *, font: str | None = None, size: float | None = None,
              bold: bool | None = None) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    if font:
        set_font(run, font, size, bold)
    else:
        if size is not None:
            run.font.size = Pt(size)
        if bold is not None:
            run.bold = bold


def loop_table(doc: Any, headers: Sequence[str], loop: str, cells: Sequence[str], *, head_font: Any = None,
               body_font: Any = None) -> Any:
    """A grid table: a header row, then one row per element of a list (``loop`` is ``p in plans``).

    ``head_font``/``body_font`` are (font, size) pairs."""
    table = doc.add_table(rows=0, cols=len(cells))
    table.style = "Table Grid"
    hf, hs = head_font or (None, None)
    bf, bs = body_font or (None, None)
    row = table.add_row().cells
    for cell, text in zip(row, headers, strict=True):
        cell_text(cell, text, font=hf, size=hs)
    table.add_row().cells[0].text = "{%tr for " + loop + " %}"
    row = table.add_row().cells
    for cell, text in zip(row, cells, strict=True):
        cell_text(cell, text, font=bf, size=bs)
    table.add_row().cells[0].text = "{%tr endfor %}"
    return table


def normalised(doc: Any) -> bytes:
    """``doc`` saved as a .docx whose bytes depend only on its content (fixed zip times and order)."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """The parts of a .docx by name, to compare two files by content rather than by compressed bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def build(doc_type: DocumentType) -> bytes:
    return normalised(doc_type.build_default())


def stale_defaults() -> list[str]:
    """Keys whose committed default template differs from what its builder makes now."""
    stale = []
    for doc_type in all_types():
        path = doc_type.default_path
        if not path.exists() or parts(path.read_bytes()) != parts(build(doc_type)):
            stale.append(doc_type.key)
    return stale


def write_defaults() -> list[str]:
    """Write every default template that changed; returns their paths."""
    written = []
    for doc_type in all_types():
        data = build(doc_type)
        path = doc_type.default_path
        if path.exists() and parts(path.read_bytes()) == parts(data):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(str(path))
    return written
