"""The pipeline's promise: all or nothing. A row that fails validation leaves nothing written; a failure in the
write phase — a service refusing one row, a ValidationError raised by the importer, an unexpected error — rolls
back every write made before it, the change log included. Files are written here, rows go in through the
importers and services under test."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from core.imports import Importer, Outcome, Row, RowError, Run
from core.models import ChangeEvent
from core.spreadsheet import Column, nonblank, text
from core.xlsx import Workbook
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.importer import COLUMNS as ENTERPRISE_COLUMNS
from enterprises.importer import import_enterprises
from enterprises.models import Enterprise
from ledgers.importer import columns as ledger_columns
from ledgers.importer import import_rows
from ledgers.models import WorkerCertificate
from ledgers.specs import SPECS
from orgs.models import Jurisdiction
from tests.personas import World


def _book(headers: list[str], rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    ws = book.sheet("导入")
    ws.write_row(0, headers)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, row)
    return io.BytesIO(book.getvalue())


def _enterprise_row(i: int, place: str = "东山街道") -> list[Any]:
    return [f"流水线测试企业{i}", make_credit_code(f"91430381PL{i:07d}"), place, "工贸"]


def test_one_failing_row_among_many_leaves_nothing_written(world: World) -> None:
    rows = [_enterprise_row(i) for i in range(40)]
    rows[23][2] = "火星镇"
    events = ChangeEvent.objects.count()
    outcome = import_enterprises(actor=world.user("office"), file=_book(
        [c.header for c in ENTERPRISE_COLUMNS[:4]], rows))
    assert not outcome.ok and outcome.total == 40
    assert [(e.row, e.column) for e in outcome.errors] == [(25, "所属乡镇（街道、园区）")]
    assert (outcome.created, outcome.updated) == (0, 0)
    assert not Enterprise.objects.filter(name__startswith="流水线测试企业").exists()
    assert ChangeEvent.objects.count() == events


def test_a_service_refusing_a_row_in_the_write_phase_rolls_back_the_rows_before_it(world: World) -> None:
    """The second certificate passes the importer's checks but not the service's (an ID number of ten digits):
    the first, already written with its change event, is rolled back with it."""
    spec = SPECS["certificates"]
    cols = ledger_columns(spec)
    code = world.enterprises["ent_a1"].credit_code

    def row(person: str, id_number: str) -> list[Any]:
        values = {"_credit_code": code, "person_name": person, "id_number": id_number, "operation_type": "welding",
                  "certificate_number": f"T{id_number}", "issued_on": "2021-01-01", "expires_on": "2030-01-01"}
        return [values.get(c.key, "") for c in cols]

    events = ChangeEvent.objects.count()
    outcome = import_rows(actor=world.user("township_a"), spec=spec, file=_book(
        [c.header for c in cols], [row("张焊工", "430381199001011234"), row("李焊工", "4303811990")]))
    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "身份证号")]
    assert "18位" in outcome.errors[0].message
    assert (outcome.created, outcome.updated) == (0, 0)
    assert not WorkerCertificate.objects.exists()
    assert ChangeEvent.objects.count() == events


class _Failing(Importer):
    """Writes every row through the enterprise service, then fails the way ``failure`` says."""

    key = "pipeline_test"

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return [Column("企业名称", "name", True, parse=nonblank(text)), Column("统一社会信用代码", "code", True)]

    def write(self, items: list[Row], run: Run) -> None:
        place = Jurisdiction.objects.get(name="东山街道")
        for row in items:
            enterprise_services.enterprise_create(actor=run.actor, name=row.values["name"], credit_code=row.values["code"],
                                                  jurisdiction=place)
            run.outcome.created += 1
        raise self.failure


def _two_enterprises() -> io.BytesIO:
    return _book(["企业名称", "统一社会信用代码"], [[f"回滚测试企业{i}", make_credit_code(f"91430381RB{i:07d}")]
                                                for i in range(2)])


def test_a_validation_error_from_the_write_phase_is_reported_and_rolls_everything_back(world: World) -> None:
    events = ChangeEvent.objects.count()
    outcome = _Failing(ValidationError("第二步核对失败")).run(actor=world.user("office"), file=_two_enterprises())
    assert not outcome.ok and [str(e) for e in outcome.errors] == ["第二步核对失败"]
    assert outcome.created == 0
    assert not Enterprise.objects.filter(name__startswith="回滚测试企业").exists()
    assert ChangeEvent.objects.count() == events


def test_an_unexpected_error_in_the_write_phase_rolls_back_and_is_raised(world: World) -> None:
    events = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError):
        _Failing(RuntimeError("disk full")).run(actor=world.user("office"), file=_two_enterprises())
    assert not Enterprise.objects.filter(name__startswith="回滚测试企业").exists()
    assert ChangeEvent.objects.count() == events


def test_a_file_level_refusal_is_an_outcome_not_an_exception(world: World, settings: Any) -> None:
    settings.ANZHI_IMPORT_MAX_ROWS = 3
    outcome = import_enterprises(actor=world.user("office"), file=_book(
        [c.header for c in ENTERPRISE_COLUMNS[:4]], [_enterprise_row(i) for i in range(4)]))
    assert not outcome.ok and "超过每次导入 3 行的上限" in outcome.message
    outcome = import_enterprises(actor=world.user("office"), file=io.BytesIO(b"PK\x03\x04 not really"))
    assert not outcome.ok and "无法读取该文件" in outcome.message


def test_a_row_error_is_the_sentence_people_read_and_keeps_its_parts() -> None:
    error = RowError(6, "责任单位", "“市火星管理局”不是系统中的单位", sheet="分工表")
    assert error == "工作表“分工表”第 6 行 责任单位：“市火星管理局”不是系统中的单位"
    assert (error.row, error.column, error.sheet) == (6, "责任单位", "分工表")
    assert error.as_dict() == {"row": 6, "column": "责任单位", "message": "“市火星管理局”不是系统中的单位",
                               "sheet": "分工表"}
    assert RowError(None, "", "表格中没有数据行。") == "表格中没有数据行。"
    assert "\n".join([RowError(3, "", "任务为空")]) == "第 3 行：任务为空"
    import pickle

    assert pickle.loads(pickle.dumps(error)).column == "责任单位"
    outcome = Outcome(errors=[error], missing_headers=["任务"])
    assert outcome.lines() == ["缺少必需的列：任务", str(error)] and not outcome.ok


def test_hostile_cells_are_row_errors_not_database_errors(world: World) -> None:
    """What a database refuses (text over a column's length, numbers beyond its range or digits) is caught by the
    columns' parsers, on every database: the report names the cells, nothing is written. (NUL never gets this
    far: the reader strips it, see test_import_reader.)"""
    headers = [c.header for c in ENTERPRISE_COLUMNS]
    row = dict(zip(headers, _enterprise_row(90) + [""] * len(headers), strict=False))
    row.update({"企业名称": "长" * 201, "从业人员数": 1e300, "经度": 1e308, "联系电话": "0731-1" * 9,
                "详细地址": "<script>alert(1)</script>"})
    outcome = import_enterprises(actor=world.user("office"), file=_book(headers, [[row[h] for h in headers]]))
    assert sorted(e.column for e in outcome.errors) == ["从业人员数", "企业名称", "经度", "联系电话"]
    spec = SPECS["trainings"]
    cols = ledger_columns(spec)
    values = {"_credit_code": world.enterprises["ent_a1"].credit_code, "title": "培训", "kind": "all_staff",
              "held_on": "2026-01-01", "hours": 1e300, "participants": 2**40}
    outcome = import_rows(actor=world.user("township_a"), spec=spec,
                          file=_book([c.header for c in cols], [[values.get(c.key, "") for c in cols]]))
    assert sorted(e.column for e in outcome.errors) == ["参训人数", "学时"], outcome.errors
    spec = SPECS["commitments"]
    cols = ledger_columns(spec)
    values = {"_credit_code": world.enterprises["ent_a1"].credit_code, "year": 2**40, "principal": "王总",
              "content": "我承诺", "signed_on": "2026-01-01"}
    outcome = import_rows(actor=world.user("township_a"), spec=spec,
                          file=_book([c.header for c in cols], [[values.get(c.key, "") for c in cols]]))
    assert [e.column for e in outcome.errors] == ["年度"], outcome.errors
    assert not Enterprise.objects.filter(name__startswith="长长").exists()
