"""Credit codes as people paste and spreadsheets store them: full-width, lower case, invisible
spaces, and 18-digit codes that Excel turned into numbers."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from core.spreadsheet import read_rows
from enterprises import importer
from enterprises.credit_code import (
    ALPHABET,
    CreditCodeError,
    make_credit_code,
    normalise,
    validate_credit_code,
)
from enterprises.forms import EnterpriseForm
from enterprises.importer import import_enterprises
from enterprises.models import Enterprise
from orgs.models import Jurisdiction
from tests.personas import World

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]
SPACES = [" ", "\u3000", "\t", "\u00a0", "\n"]


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    head = draw(st.text(ALPHABET, min_size=2, max_size=2))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(ALPHABET, min_size=9, max_size=9))
    return make_credit_code(head + region + body)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(valid_codes(), st.booleans(), st.booleans(),
       st.lists(st.tuples(st.integers(0, 18), st.sampled_from(INVISIBLE + SPACES)), max_size=6))
def test_any_valid_code_survives_full_width_lower_case_and_invisible_spaces(
        code: str, full: bool, lower: bool, inserts: list[tuple[int, str]]) -> None:
    pasted = code.lower() if lower else code
    pasted = _full_width(pasted) if full else pasted
    for pos, ch in sorted(inserts, reverse=True):
        pasted = pasted[:pos] + ch + pasted[pos:]
    assert validate_credit_code(pasted) == code


def test_a_valid_code_that_reads_like_a_number_is_the_code() -> None:
    """Found by the property above: digits, an E and digits is scientific notation, and a valid code."""
    code = make_credit_code("9E000011000000000")
    assert code == "9E0000110000000009"
    assert validate_credit_code(code) == code
    with pytest.raises(CreditCodeError, match="存成了数字"):
        validate_credit_code("9.14303811E+17")


def test_full_width_lower_case_letters_are_not_forbidden_characters() -> None:
    code = "91350100M000100Y43"
    assert validate_credit_code(_full_width(code.lower())) == code


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u3000"])
def test_invisible_characters_do_not_change_the_length(invisible: str) -> None:
    code = "91350100M000100Y43"
    assert validate_credit_code(code[:9] + invisible + code[9:]) == code
    with pytest.raises(CreditCodeError, match="当前为17位"):
        validate_credit_code(code[:9] + invisible + code[10:])


@pytest.mark.parametrize("cell", [914403001922038216, 9.14403001922038e17, "9.14403001922038E+17", "9.144E17",
                                  "914403001922038000.0"])
def test_a_code_kept_as_a_number_asks_for_a_text_column(cell: object) -> None:
    with pytest.raises(CreditCodeError, match="设为文本格式") as info:
        validate_credit_code(cell)
    assert "校验位" not in str(info.value)


def test_the_import_template_example_code_passes_the_validator() -> None:
    rows, missing = read_rows(io.BytesIO(importer.template()), importer.COLUMNS)
    assert not missing and len(rows) == 1
    code = rows[0][1]["credit_code"]
    assert validate_credit_code(code) == code == importer.EXAMPLE_CREDIT_CODE


def test_import_reports_a_numeric_credit_code_cell_at_its_row(world: World) -> None:
    from enterprises.tests.test_credit_code_and_import import _row, _xlsx

    row = _row(1)
    row[1] = 914403001922038216  # what Excel keeps when the column is not text
    result = import_enterprises(actor=world.user("office"), file=_xlsx([row]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "统一社会信用代码")]
    assert "设为文本格式" in result.errors[0].message
    assert not Enterprise.objects.filter(name="导入测试企业1").exists()


def test_form_normalises_before_checking_the_length(world: World) -> None:
    code = make_credit_code("91430381FW0000001")
    pasted = _full_width(code.lower())[:9] + "\u200b\u3000" + _full_width(code.lower())[9:]
    form = EnterpriseForm({"name": "全角代码测试企业", "credit_code": pasted,
                           "jurisdiction": Jurisdiction.objects.get(name="东山街道").pk},
                          user=world.user("office"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == code


def test_web_and_api_store_the_normalised_code(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    code = make_credit_code("91430381FW0000002")
    place = Jurisdiction.objects.get(name="东山街道").pk
    response = client.post("/api/v1/enterprises/", {"name": "全角接口企业", "jurisdiction": place,
                                                      "credit_code": "\ufeff" + _full_width(code.lower())},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == code
    code2 = make_credit_code("91430381FW0000003")
    response = client.post("/enterprises/new/", {"name": "全角页面企业", "jurisdiction": place,
                                                 "credit_code": " ".join(_full_width(code2.lower()))})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Enterprise.objects.filter(credit_code=code2).exists()


def test_normalise_is_idempotent_and_total() -> None:
    assert normalise(None) == ""
    assert normalise("９１ａ\u200b") == normalise(normalise("９１ａ\u200b")) == "91A"


def test_search_finds_an_enterprise_by_a_pasted_full_width_code(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    pasted = _full_width(ent.credit_code[:10].lower()) + "\u200b"
    assert ent in Enterprise.objects.search(pasted)
