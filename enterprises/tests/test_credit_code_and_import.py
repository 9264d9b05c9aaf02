from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from core.models import ChangeEvent
from enterprises.credit_code import ALPHABET, CreditCodeError, make_credit_code, validate_credit_code
from enterprises.importer import COLUMNS, import_enterprises
from enterprises.industry import IndustryCodeError, validate_industry_code
from enterprises.models import Enterprise
from tests.personas import World

REAL = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG"]


@pytest.mark.parametrize("code", REAL)
def test_real_credit_codes_are_accepted(code: str) -> None:
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(st.sampled_from(REAL), st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ"))
def test_every_single_character_corruption_is_refused(code: str, pos: int, ch: str) -> None:
    if code[pos] == ch:
        return
    bad = code[:pos] + ch + code[pos + 1:]
    with pytest.raises(CreditCodeError):
        validate_credit_code(bad)


def test_industry_codes_are_checked_against_gbt4754() -> None:
    assert validate_industry_code("3110") == "3110"
    assert validate_industry_code("C3110") == "3110"
    assert validate_industry_code("c") == "C"
    for bad in ("9999", "Z", "A3110", "31x"):
        with pytest.raises(IndustryCodeError):
            validate_industry_code(bad)


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet()
    for j, col in enumerate(COLUMNS):
        ws.write(0, j, col.header)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    book.close()
    buf.seek(0)
    return buf


def _row(i: int, place: str = "东山街道", name: str | None = None, code: str | None = None) -> list[object]:
    return [name or f"导入测试企业{i}", code or make_credit_code(f"91430381HM{i:07d}"), place, "工贸", "市应急管理局",
            "3110", f"测试路{i}号", "张三", "张三", "李四", "0731-1", 50, "是", 112.5, 27.7, "是"]


def test_import_with_one_bad_row_imports_nothing_and_names_the_row(world: World) -> None:
    actor = world.user("office")
    bad = _row(2)
    bad[1] = "91430381HM0000002X"  # wrong check character
    result = import_enterprises(actor=actor, file=_xlsx([_row(1), bad, _row(3)]))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "统一社会信用代码")]
    assert "校验位" in result.errors[0].message
    assert not Enterprise.objects.filter(name__startswith="导入测试企业").exists()


def test_import_reports_unknown_township_duplicates_and_missing_fields(world: World) -> None:
    actor = world.user("office")
    dup = _row(1)
    missing = _row(4)
    missing[0] = ""
    result = import_enterprises(actor=actor, file=_xlsx([_row(1), dup, _row(3, place="火星镇"), missing]))
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "与第 2 行重复" in messages[(3, "统一社会信用代码")]
    assert "火星镇" in messages[(4, "所属乡镇（街道、园区）")]
    assert messages[(5, "企业名称")] == "必填项为空"


def test_reimport_updates_instead_of_duplicating_and_is_audited(world: World) -> None:
    actor = world.user("office")
    first = import_enterprises(actor=actor, file=_xlsx([_row(1), _row(2)]))
    assert (first.created, first.updated) == (2, 0)
    ent = Enterprise.objects.get(name="导入测试企业1")
    assert ent.flag_hazardous_process and ent.above_scale and ent.domains.get().code == "D12"
    assert ent.departments.get().name == "市应急管理局"
    changed = _row(1)
    changed[6] = "新地址1号"
    again = import_enterprises(actor=actor, file=_xlsx([changed, _row(2)]))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Enterprise.objects.filter(name__startswith="导入测试企业").count() == 2
    ent.refresh_from_db()
    assert ent.address == "新地址1号"
    events = ChangeEvent.objects.for_object(ent)
    assert [e.action for e in events][:2] == ["enterprises.update", "enterprises.create"]
    from core.chain import verify_chain

    assert verify_chain().ok


def test_import_refuses_a_code_registered_outside_scope(world: World) -> None:
    other = world.enterprises["ent_b1"]  # 山枣镇: outside 东山街道
    result = import_enterprises(actor=world.user("township_a"), file=_xlsx([_row(1, code=other.credit_code)]))
    assert not result.ok and "不在您的管辖范围内" in result.errors[0].message
    other.refresh_from_db()
    assert other.name == "山枣测试建材有限公司"


def test_township_cannot_import_into_another_township(world: World) -> None:
    result = import_enterprises(actor=world.user("township_a"), file=_xlsx([_row(1, place="山枣镇")]))
    assert not result.ok


def test_import_page_and_template(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    assert client.get("/enterprises/import/template.xlsx").status_code == 200
    response = client.post("/enterprises/import/", {"file": _xlsx([_row(7)])})
    assert response.status_code == 302
    assert Enterprise.objects.filter(name="导入测试企业7").exists()
    bad = _row(8, place="火星镇")
    response = client.post("/enterprises/import/", {"file": _xlsx([bad])})
    assert "第 2 行" in response.content.decode()
    client.force_login(world.users["enterprise_a"])
    assert client.get("/enterprises/import/").status_code == 403


def test_enterprise_filter_by_risk_flag(client: Client, world: World) -> None:
    import_enterprises(actor=world.user("office"), file=_xlsx([_row(1)]))
    client.force_login(world.users["office"])
    html = client.get("/enterprises/", {"flag": "flag_hazardous_process"}).content.decode()
    assert "导入测试企业1" in html and "东山测试商场" not in html


def test_enterprise_account_edits_only_its_limited_fields(client: Client, world: World) -> None:
    from django.core.exceptions import PermissionDenied

    from enterprises import services

    user = world.user("enterprise_a")
    ent = world.enterprises["ent_a1"]
    services.enterprise_update(actor=user, enterprise=ent, safety_manager="王安全")
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=user, enterprise=ent, flag_major_hazard=True)


def test_large_file_is_imported_in_the_background_with_progress(client: Client, world: World, settings) -> None:
    settings.ANZHI_IMPORT_BACKGROUND_ROWS = 1  # the decision is by rows now (was: by file size)
    client.force_login(world.users["office"])
    response = client.post("/enterprises/import/", {"file": _xlsx([_row(1), _row(2)])})
    assert response.status_code == 302 and "/imports/" in response["Location"]
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "导入完成" in page and "新增 2 家" in page
    assert Enterprise.objects.filter(name__startswith="导入测试企业").count() == 2
    bad = _row(3, place="火星镇")
    response = client.post("/enterprises/import/", {"file": _xlsx([bad])})
    page = client.get(response["Location"]).content.decode()
    assert "第 2 行" in page and "火星镇" in page
    client.force_login(world.users["township_a"])  # another user's job is not found
    assert client.get(response["Location"]).status_code == 404


def test_large_imports_fill_pinyin_after_the_commit(world: World, monkeypatch: pytest.MonkeyPatch,
                                                    django_capture_on_commit_callbacks) -> None:
    from enterprises import importer

    monkeypatch.setattr(importer, "DEFER_PINYIN_OVER", 1)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_enterprises(actor=world.user("office"), file=_xlsx([_row(1), _row(2)]))
    assert result.created == 2
    assert Enterprise.objects.search("drcsqy").filter(name__startswith="导入测试企业").count() == 2
