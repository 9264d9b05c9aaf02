"""Templates as a clerk would make them: the current template opened in Word (python-docx here), edited,
saved."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from documents.registry import get_type

LETTERHEAD = "湘乡市安全生产委员会办公室文件"


def edited(key: str, *, before: Sequence[str] = (LETTERHEAD,), header: str = "", base: bytes | None = None) -> bytes:
    """The default template of ``key`` (or ``base``) with paragraphs put before its first one and, optionally,
    a page header."""
    doc = Document(io.BytesIO(base if base is not None else get_type(key).default_bytes()))
    first = doc.paragraphs[0]
    for text in before:
        first.insert_paragraph_before(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "模板.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
