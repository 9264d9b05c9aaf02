"""The text of a .docx in body order — paragraphs and tables — for the preview page and for tests that
compare two documents by what they say."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


@dataclass(frozen=True)
class Block:
    kind: str  # "p" or "table"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = field(default=())
    images: int = 0

    def as_tuple(self) -> tuple[object, ...]:
        return (self.kind, self.text, self.rows)


def blocks(data: bytes) -> list[Block]:
    """Body paragraphs (with the number of pictures in each) and tables (rows of cell texts), in order."""
    doc = Document(io.BytesIO(data))
    out: list[Block] = []
    for element in doc.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, doc)
            out.append(Block("p", paragraph.text, images=len(element.xpath(".//pic:pic"))))
        elif tag == "tbl":
            table = Table(element, doc)
            out.append(Block("table", rows=tuple(tuple(c.text for c in r.cells) for r in table.rows)))
    return out


def header_footer_text(data: bytes) -> list[str]:
    """The text of every header and footer paragraph (the 文头 of a red-header template often sits there)."""
    doc = Document(io.BytesIO(data))
    out: list[str] = []
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if not part.is_linked_to_previous:
                out += [p.text for p in part.paragraphs if p.text]
    return out
