"""The import reader (core.spreadsheet.read_book + core.imports.reader): real layouts written as .xlsx here —
title rows, two-row headers with merged cells, several sheets, an instructions sheet, blank rows — and hostile
cells (formulas, huge numbers, scripts in text, NUL)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from core.imports.reader import CHOSEN, KEYWORD, NAME, SAVED, SYNONYM, Plan, plan_book
from core.spreadsheet import MAX_COLUMNS, Column, read_book, to_date, to_decimal_text, to_int

COLUMNS = [
    Column("序号", "no"),
    Column("任务", "item", True, synonyms=("主要任务",)),
    Column("牵头单位", "lead", True),
    Column("配合单位", "coop"),
    Column("完成时限", "deadline", keywords=("时限", "完成时间")),
    Column("分组", "group"),
]


def _save(book: openpyxl.Workbook) -> io.BytesIO:
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def _plan(buf: io.BytesIO, columns: list[Column] = COLUMNS, **kwargs: Any) -> Plan:
    return plan_book(read_book(buf), columns, **kwargs)


def _mapping(plan: Plan, sheet: int = 0) -> dict[str, str]:
    return {c.letter: c.field for c in plan.sheets[sheet].columns if c.header or c.samples}


def division_table() -> io.BytesIO:
    """分工表 as another city sends it: an instructions sheet, then a title, a two-row header (责任单位 over
    牵头单位 | 配合单位, the other headers merged down), a blank row and a merged group heading."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes["A1"] = "填表说明"
    notes["A2"] = "1. 牵头单位只填一个；2. 完成时限写到月。"
    ws = book.create_sheet("分工表")
    ws.append(["某市安全生产专项整治三年行动任务分工表"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "主要任务", "责任单位", None, "完成时限", "备注"])
    ws.append([None, None, "牵头单位", "配合单位", None, None])
    for cells in ("C2:D2", "A2:A3", "B2:B3", "E2:E3", "F2:F3"):
        ws.merge_cells(cells)
    ws.append([1, "建立安全风险清单", "市应急管理局", "各乡镇（街道）", "2020年12月", None])
    ws.append([])
    ws.append(["（二）集中攻坚阶段"])
    ws.merge_cells("A6:F6")
    ws.append([2, "开展消防通道整治", "市消防救援大队", "", "2021年6月", "每季度报送"])
    return _save(book)


def test_an_instructions_sheet_is_skipped_and_said_so() -> None:
    plan = _plan(division_table())
    notes, table = plan.sheets
    assert not notes.table and not notes.selected and "没有找到表头" in notes.skip
    assert table.selected and [s.name for s in plan.selected] == ["分工表"]
    assert any("填表说明" in n for n in plan.notes())


def test_a_two_row_header_under_a_merged_cell_maps_each_sub_header() -> None:
    plan = _plan(division_table())
    sheet = plan.sheets[1]
    assert (sheet.header_row, sheet.depth, sheet.header_lines) == (1, 2, "第 2–3 行")
    assert _mapping(plan, 1) == {"A": "no", "B": "item", "C": "lead", "D": "coop", "E": "deadline", "F": ""}
    headers = {c.letter: c.header for c in sheet.columns}
    assert headers["C"] == "责任单位 / 牵头单位" and headers["A"] == "序号"  # merged down: one text
    how = {c.letter: c.how for c in sheet.columns}
    assert (how["A"], how["B"], how["E"]) == (NAME, SYNONYM, NAME)


def test_rows_start_under_the_header_skip_blank_rows_and_take_group_headings() -> None:
    plan = _plan(division_table(), heading_key="group")
    rows = plan.rows()
    assert [r.line for r in rows] == [4, 7]
    assert rows[0].raw["lead"] == "市应急管理局" and rows[0].raw["coop"] == "各乡镇（街道）"
    assert "group" not in rows[0].raw and rows[1].raw["group"] == "（二）集中攻坚阶段"


def test_a_heading_row_without_a_heading_column_is_left_out_and_noted() -> None:
    plan = _plan(division_table())
    assert [r.line for r in plan.rows()] == [4, 7]
    assert any("第 6 行" in n and "集中攻坚阶段" in n for n in plan.notes())


def test_a_column_that_is_not_kept_is_listed_with_its_data() -> None:
    plan = _plan(division_table())
    (sheet, column), = plan.not_kept()
    assert (sheet.name, column.letter, column.header, column.samples) == ("分工表", "F", "备注", ["每季度报送"])
    assert plan.needs_review
    assert any("F 列“备注”未导入" in n for n in plan.notes())


def test_a_wide_header_cell_with_data_below_is_one_header_row() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["序号", "任务", "牵头单位", None, "完成时限"])
    ws.merge_cells("C1:D1")  # a wide column, not a parent of sub-headers
    ws.append([1, "排查", "市应急管理局", "", "2020年"])
    plan = _plan(_save(book))
    assert (plan.sheets[0].header_row, plan.sheets[0].depth) == (0, 1)
    assert [r.raw["lead"] for r in plan.rows()] == ["市应急管理局"]
    assert "与 C 列重复" in next(c.note for c in plan.sheets[0].columns if c.letter == "D")


def test_merged_data_cells_give_their_value_to_every_row() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["序号", "任务", "牵头单位"])
    ws.append([1, "整治消防通道", "市消防救援大队"])
    ws.append([2, None, "东山街道"])
    ws.merge_cells("B2:B3")
    assert [r.raw["item"] for r in _plan(_save(book)).rows()] == ["整治消防通道", "整治消防通道"]


def test_a_title_and_a_note_above_the_header_are_passed_over() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年任务清单"])
    ws.append(["说明：带*的列必填"])
    ws.append(["序号", "任务*", "（牵头单位）", "完成 时限"])
    ws.append([1, "排查", "市应急管理局", "2024年"])
    plan = _plan(_save(book))
    assert plan.sheets[0].header_row == 2
    assert _mapping(plan) == {"A": "no", "B": "item", "C": "lead", "D": "deadline"}
    assert [r.line for r in plan.rows()] == [4]


def test_headers_found_by_keyword_when_no_name_matches() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["任务", "牵头单位", "计划完成时间节点"])
    ws.append(["排查", "东山街道", "2024年"])
    plan = _plan(_save(book))
    assert plan.sheets[0].columns[2].field == "deadline" and plan.sheets[0].columns[2].how == KEYWORD


def test_several_sheets_with_tables_are_read_and_their_rows_name_the_sheet() -> None:
    book = openpyxl.Workbook()
    for i, name in enumerate(("东山街道", "山枣镇")):
        ws = book.active if i == 0 else book.create_sheet()
        ws.title = name
        ws.append(["任务", "牵头单位"])
        ws.append([f"{name}的任务", name])
    plan = _plan(_save(book))
    assert [s.name for s in plan.selected] == ["东山街道", "山枣镇"] and plan.needs_review
    assert [(r.sheet, r.line, r.raw["item"]) for r in plan.rows()] == [
        ("东山街道", 2, "东山街道的任务"), ("山枣镇", 2, "山枣镇的任务")]


def test_a_hidden_sheet_is_not_read_unless_chosen() -> None:
    book = openpyxl.Workbook()
    book.active.append(["任务", "牵头单位"])
    book.active.append(["看得见的任务", "东山街道"])
    hidden = book.create_sheet("下拉选项")
    hidden.append(["任务", "牵头单位"])
    hidden.append(["隐藏的任务", "山枣镇"])
    hidden.sheet_state = "hidden"
    data = _save(book)
    plan = _plan(data)
    assert [r.raw["item"] for r in plan.rows()] == ["看得见的任务"]
    assert plan.sheets[1].skip == "隐藏的工作表"
    chosen = _plan(io.BytesIO(data.getvalue()), chosen={"sheets": [1], "columns": {}})
    assert [r.raw["item"] for r in chosen.rows()] == ["隐藏的任务"]


def test_a_sheet_missing_a_required_column_gives_way_to_a_complete_one() -> None:
    book = openpyxl.Workbook()
    book.active.append(["任务", "序号"])
    book.active.append(["没有牵头单位", 1])
    full = book.create_sheet("完整")
    full.append(["任务", "牵头单位"])
    full.append(["有牵头单位", "东山街道"])
    plan = _plan(_save(book))
    assert [s.name for s in plan.selected] == ["完整"] and plan.sheets[0].skip == "缺少必需的列"


def test_without_a_complete_table_the_first_one_is_read_to_report_what_it_lacks() -> None:
    book = openpyxl.Workbook()
    book.active.append(["任务", "序号"])
    book.active.append(["没有牵头单位", 1])
    plan = _plan(_save(book))
    assert [c.header for c in plan.missing()] == ["牵头单位"]


def test_chosen_and_saved_choices_override_the_names() -> None:
    book = openpyxl.Workbook()
    book.active.append(["任务", "责任部门", "备注"])
    book.active.append(["排查", "市应急管理局", "x"])
    data = _save(book).getvalue()
    found = lambda keys: "item" in keys  # noqa: E731 - one row is enough here
    plain = _plan(io.BytesIO(data), header_found=found)
    assert _mapping(plain) == {"A": "item", "B": "", "C": ""} and [c.header for c in plain.missing()] == ["牵头单位"]
    saved = _plan(io.BytesIO(data), header_found=found, saved={"责任部门": "lead", "备注": ""})
    assert _mapping(saved) == {"A": "item", "B": "lead", "C": ""} and not saved.missing()
    assert [c.how for c in saved.sheets[0].columns] == [NAME, SAVED, SAVED] and not saved.needs_review
    chosen = _plan(io.BytesIO(data), header_found=found, chosen={"sheets": [0], "columns": {"0": {"1": "lead", "2": "coop"}}})
    assert _mapping(chosen) == {"A": "item", "B": "lead", "C": "coop"} and chosen.sheets[0].columns[2].how == CHOSEN
    assert chosen.header_choices() == {"任务": "item", "责任部门": "lead", "备注": "coop"}
    twice = _plan(io.BytesIO(data), header_found=found, chosen={"sheets": [0], "columns": {"0": {"1": "item"}}})
    assert twice.conflicts() == ["“任务”对应了 A 列和 B 列，只能选一列"]


def test_the_preview_shows_the_first_rows_as_they_will_be_read() -> None:
    columns = [Column("任务", "item", True), Column("牵头单位", "lead", True), Column("人数", "staff", parse=to_int)]
    book = openpyxl.Workbook()
    book.active.append(["任务", "牵头单位", "人数"])
    for i in range(8):
        book.active.append([f"任务{i}", "东山街道", "很多" if i == 1 else i])
    plan = _plan(_save(book), columns)
    shown, rows = plan.preview(plan.sheets[0])
    assert [c.key for c in shown] == ["item", "lead", "staff"] and len(rows) == 5
    assert rows[1][0] == 3 and rows[1][1][2].text == "很多" and "不是数字" in rows[1][1][2].error
    data = plan.as_dict()
    assert data["sheets"][0]["rows"][0]["cells"]["item"] == {"text": "任务0", "error": ""}
    assert data["fields"][0] == {"key": "item", "label": "任务", "required": True}


def test_no_table_is_no_table() -> None:
    book = openpyxl.Workbook()
    book.active.append(["甲", "乙", "丙"])
    book.active.append([1, 2, 3])
    plan = _plan(_save(book))
    assert not plan.table_found and not plan.selected


# -- hostile cells ---------------------------------------------------------------------------------------------
def _xlsxwriter_book(rows: list[list[Any]], formulas: dict[tuple[int, int], tuple[str, Any]] | None = None) -> io.BytesIO:
    """xlsxwriter directly (core.xlsx would clean what these tests need to send)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    for (r, c), (formula, cached) in (formulas or {}).items():
        ws.write_formula(r, c, formula, None, cached)
    book.close()
    buf.seek(0)
    return buf


def test_formulas_are_read_as_their_stored_values_and_formula_text_stays_text() -> None:
    data = _xlsxwriter_book([["任务", "牵头单位"], ["=HYPERLINK(\"http://evil.example\",\"点我\")", "东山街道"]],
                            formulas={(2, 0): ("=1+1", 2), (2, 1): ("=CONCATENATE(\"东山\",\"街道\")", "东山街道")})
    rows = _plan(data).rows()
    assert rows[0].raw["item"] == "=HYPERLINK(\"http://evil.example\",\"点我\")"  # text, never evaluated
    assert (rows[1].raw["item"], rows[1].raw["lead"]) == (2.0, "东山街道")


def test_nul_and_control_characters_are_removed_and_scripts_stay_plain_text() -> None:
    data = _xlsxwriter_book([["任务", "牵头单位"], ["排\x00查\x07隐患\t第一\n第二", "<script>alert(1)</script>"]])
    raw = _plan(data).rows()[0].raw
    assert raw["item"] == "排查隐患\t第一\n第二"
    assert raw["lead"] == "<script>alert(1)</script>"


@pytest.mark.parametrize("value", [1e308, -1e308, 2**63, 1e300, 9.99e15])
def test_huge_numbers_are_refused_by_the_parsers_not_the_database(value: float) -> None:
    data = _xlsxwriter_book([["人数", "日期"], [value, value]])
    raw = _plan(data, [Column("人数", "n"), Column("日期", "d")]).rows()[0].raw
    with pytest.raises(ValueError):
        to_int(raw["n"])
    with pytest.raises(ValueError):
        to_date(raw["d"])


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "NaN"])
def test_non_finite_text_is_not_a_number(text: str) -> None:
    for parse in (to_int, to_decimal_text):
        with pytest.raises(ValueError):
            parse(text)


def test_dates_accept_serial_numbers_and_refuse_impossible_ones() -> None:
    assert to_date(45000) == dt.date(2023, 3, 15)
    for bad in (0, -5, 3_000_000, 1e300):
        with pytest.raises(ValueError, match="不是日期"):
            to_date(bad)


def test_a_sheet_wider_than_the_column_ceiling_is_refused_before_it_is_read() -> None:
    data = _xlsxwriter_book([["任务", "牵头单位"] + [""] * MAX_COLUMNS + ["x"]])
    with pytest.raises(ValidationError, match=f"超过 {MAX_COLUMNS} 列的上限"):
        read_book(data)


def test_a_merge_declared_beyond_the_cells_is_clamped() -> None:
    """A <mergeCell ref="A1:XFD1048576"/> over two rows of cells must not make a grid of the whole sheet."""
    small = _xlsxwriter_book([["任务", "牵头单位"], ["排查", "东山街道"]]).getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b'</sheetData><mergeCells count="2">'
                                          b'<mergeCell ref="A4:XFD1048576"/><mergeCell ref="B2:XFD1048576"/>'
                                          b"</mergeCells>")
            dst.writestr(item, content)
    buf.seek(0)
    sheet = read_book(buf)[0]
    assert (len(sheet.rows), sheet.width) == (2, 2) and sheet.merges == [(1, 1, 1, 1)]
    assert [r.raw["item"] for r in _plan(io.BytesIO(buf.getvalue())).rows()] == ["排查"]
