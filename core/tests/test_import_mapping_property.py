"""Header detection and column mapping, property-based: whatever the order of the columns, the names people
give them (template name, synonym, noisy spacing and brackets), the title rows above and the extra columns,
every known column is mapped where it stands and every extra column is reported as not kept."""

from __future__ import annotations

import io
from dataclasses import dataclass

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.imports.reader import plan_book
from core.spreadsheet import Column, read_book
from core.xlsx import Workbook

COLUMNS = [
    Column("企业名称", "name", True, synonyms=("单位名称", "企业（单位）名称")),
    Column("统一社会信用代码", "code", True, synonyms=("信用代码",)),
    Column("联系电话", "phone", synonyms=("电话", "联系方式")),
    Column("从业人员数", "staff", synonyms=("职工人数",)),
    Column("完成时间", "due", keywords=("时限",)),
]
# Characters no name, synonym or keyword above contains: an extra column can never match by accident.
STRANGE = "甲乙丙丁戊己庚辛壬癸子丑寅卯"


@dataclass
class Layout:
    headers: list[str]  # as written in the file
    fields: list[str]  # the importer column each header should feed, "" for an extra one
    titles: list[str]
    group: tuple[int, int] | None  # columns [a, b) put under a merged parent header


def _noisy(draw: st.DrawFn, text: str) -> str:
    """What people do to a header that means nothing: a space inside, a '*', brackets around it."""
    if draw(st.booleans()):
        text = text[:1] + " " + text[1:]
    if draw(st.booleans()):
        text = f"（{text}）"
    return text + draw(st.sampled_from(["", "*", "＊"]))


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    known = draw(st.lists(st.sampled_from(COLUMNS), min_size=2, max_size=len(COLUMNS), unique_by=lambda c: c.key))
    headers, fields = [], []
    for column in known:
        names = [column.header, *column.synonyms] + [f"计划{k}节点" for k in column.keywords]
        headers.append(_noisy(draw, draw(st.sampled_from(names))))
        fields.append(column.key)
    extras = draw(st.lists(st.text(STRANGE, min_size=1, max_size=4), max_size=4, unique=True))
    for extra in extras:
        at = draw(st.integers(0, len(headers)))
        headers.insert(at, extra)
        fields.insert(at, "")
    titles = draw(st.lists(st.text(STRANGE, min_size=1, max_size=8), max_size=3))
    group = None
    if draw(st.booleans()) and len(headers) >= 3:
        # A parent over some columns, not all of them (a cell over the whole table is a title).
        a = draw(st.integers(0, len(headers) - 2))
        b = draw(st.integers(a + 2, len(headers)))
        group = (a, b) if (a, b) != (0, len(headers)) else (1, b)
        group = group if group[1] - group[0] >= 2 else None
    return Layout(headers, fields, titles, group)


def _write(layout: Layout, rows: int) -> bytes:
    """The layout as an office would send it: titles merged across, then one header row, or two with a parent
    cell merged over the grouped columns and the other headers merged down; then data in every column."""
    book = Workbook()
    ws = book.sheet("名录")
    width = len(layout.headers)
    r = 0
    for title in layout.titles:
        ws.merge(r, 0, r, width - 1, title)
        r += 1
    if layout.group is None:
        ws.write_row(r, layout.headers)
        r += 1
    else:
        a, b = layout.group
        ws.merge(r, a, r, b - 1, "基本信息")
        for c, header in enumerate(layout.headers):
            if a <= c < b:
                ws.write(r + 1, c, header)
            else:
                ws.merge(r, c, r + 1, c, header)
        r += 2
    for i in range(rows):
        ws.write_row(r + i, [f"{h}{i}" for h in layout.headers])
    return book.getvalue()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts(), st.integers(1, 4))
def test_every_known_column_is_mapped_and_every_extra_one_reported(layout: Layout, rows: int) -> None:
    event("two header rows" if layout.group else "one header row")
    event(f"{len(layout.titles)} title rows, extra columns: {sum(1 for f in layout.fields if not f) > 0}")
    plan = plan_book(read_book(io.BytesIO(_write(layout, rows))), COLUMNS)
    sheet = plan.sheets[0]
    assert sheet.table and sheet.selected
    assert sheet.header_row == len(layout.titles)
    assert sheet.depth == (1 if layout.group is None else 2)
    assert [c.field for c in sheet.columns] == layout.fields
    extras = {c: h for c, (h, f) in enumerate(zip(layout.headers, layout.fields, strict=True)) if not f}
    not_kept = {c.index: c for _s, c in plan.not_kept()}
    assert set(not_kept) == set(extras)
    for index, column in not_kept.items():
        assert column.header.endswith(extras[index]) and column.samples
        assert any(f"{column.letter} 列" in note for note in plan.notes())
    assert plan.needs_review == bool(extras)
    data = plan.rows()
    assert len(data) == rows and data[0].line == sheet.first_data_row + 1
    for row in data:
        assert set(row.raw) == {f for f in layout.fields if f}


@settings(max_examples=40, deadline=None)
@given(layouts())
def test_a_saved_choice_for_every_extra_column_needs_no_review(layout: Layout) -> None:
    book = read_book(io.BytesIO(_write(layout, 2)))
    first = plan_book(book, COLUMNS)
    remembered = first.header_choices()
    again = plan_book(book, COLUMNS, saved=remembered)
    assert [c.field for c in again.sheets[0].columns] == layout.fields
    assert not again.needs_review


@settings(max_examples=40, deadline=None)
@given(layouts(), st.data())
def test_a_repeated_known_column_keeps_the_first_and_reports_the_second(layout: Layout, data: st.DataObject) -> None:
    known = [i for i, f in enumerate(layout.fields) if f]
    copy = data.draw(st.sampled_from(known))
    layout.headers.append(layout.headers[copy])
    layout.fields.append("")
    layout.group = None
    plan = plan_book(read_book(io.BytesIO(_write(layout, 1))), COLUMNS)
    last = plan.sheets[0].columns[len(layout.headers) - 1]
    assert not last.kept and "重复" in last.note
    assert plan.sheets[0].columns[copy].field == layout.fields[copy]
