"""Sections other modules add to the monthly / annual report (月度进展情况, 年度总结): a small registry.

A module registers a builder in its ``AppConfig.ready()``::

    register_report_section("enforcement", enforcement.figures.report_section, order=50)

A builder is called with (user, start, end) — the reader and the report's period — and returns a
``ReportSection`` (or None when it has nothing to say). Every count in it must come from ``visible_to(user)``:
the report is the reader's, cut to what they may see (tests/test_figure_scope.py). ``campaigns.reports`` calls
``build`` once per report and shows the sections in the page, the .docx (rows of ``docx_rows``) and the .xlsx
(``write_xlsx``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SHEET = "其他工作情况"


@dataclass(frozen=True)
class SectionRow:
    label: str
    value: str
    url: str = ""  # the list the figure is counted from (the HTML report links to it)


@dataclass(frozen=True)
class ReportSection:
    name: str
    title: str
    rows: list[SectionRow] = field(default_factory=list)


Builder = Callable[[Any, dt.date, dt.date], ReportSection | None]


@dataclass(frozen=True)
class _Entry:
    name: str
    builder: Builder
    order: int


_SECTIONS: dict[str, _Entry] = {}


def register_report_section(name: str, builder: Builder, order: int = 100) -> None:
    """Add (or replace, by name: ``ready()`` may run twice in tests) a section of the periodic report."""
    _SECTIONS[name] = _Entry(name, builder, order)


def registered() -> list[str]:
    return [e.name for e in sorted(_SECTIONS.values(), key=lambda e: (e.order, e.name))]


def build(user: Any, start: dt.date, end: dt.date) -> list[ReportSection]:
    """Every registered section for this reader and period, in order; empty ones left out."""
    out = []
    for entry in sorted(_SECTIONS.values(), key=lambda e: (e.order, e.name)):
        section = entry.builder(user, start, end)
        if section is not None and section.rows:
            out.append(section)
    return out


def docx_rows(sections: list[ReportSection]) -> list[dict[str, str]]:
    """The sections as the report template's ``sections`` rows (one table: 类别 | 指标 | 数值)."""
    return [{"section": s.title if i == 0 else "", "label": r.label, "value": r.value}
            for s in sections for i, r in enumerate(s.rows)]


def write_xlsx(book: Any, sections: list[ReportSection]) -> None:
    """One sheet with every section (nothing when there is none)."""
    if not sections:
        return
    from core.xlsx import Style

    head = Style(bold=True, bg_color="#DDEBF7", border=1)
    ws = book.sheet(SHEET)
    ws.set_column(0, 1, 30)
    ws.write_row(0, ["类别", "指标", "数值"], head)
    row = 1
    for section in sections:
        for line in section.rows:
            ws.write_row(row, [section.title, line.label, line.value])
            row += 1
