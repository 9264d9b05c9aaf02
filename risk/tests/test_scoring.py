from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.choices import GRADE_RANK, Grade, Method
from risk.scoring import (
    LEC_C,
    LEC_DEFAULT,
    LEC_E,
    LEC_L,
    LS_DEFAULT,
    LS_L,
    LS_S,
    Bands,
    assess,
    grade_for,
    highest,
    lec_value,
    ls_value,
)


@pytest.mark.parametrize(("value", "grade"), [
    ("320.01", Grade.RED), ("321", Grade.RED), ("320", Grade.ORANGE), ("160.01", Grade.ORANGE),
    ("160", Grade.YELLOW), ("70.01", Grade.YELLOW), ("70", Grade.BLUE), ("20", Grade.BLUE), ("0.1", Grade.BLUE),
])
def test_lec_thresholds_at_every_boundary(value: str, grade: str) -> None:
    # rules.md 4.2: D>320 红; 160<D≤320 橙; 70<D≤160 黄; D≤70 蓝
    assert grade_for(Decimal(value), LEC_DEFAULT) == grade


@pytest.mark.parametrize(("value", "grade"), [
    (25, Grade.RED), (20, Grade.RED), (16, Grade.ORANGE), (15, Grade.ORANGE), (12, Grade.YELLOW),
    (9, Grade.YELLOW), (8, Grade.BLUE), (1, Grade.BLUE),
])
def test_ls_thresholds_at_every_boundary(value: int, grade: str) -> None:
    # rules.md 4.3: 20–25 红; 15–16 橙; 9–12 黄; 1–8 蓝
    assert grade_for(Decimal(value), LS_DEFAULT) == grade


def test_lec_products_from_the_tables() -> None:
    assert lec_value(6, 6, 15) == Decimal(540)
    assert assess(method=Method.LEC, inputs={"l": 6, "e": 6, "c": 15}).grade == Grade.RED
    assert assess(method=Method.LEC, inputs={"l": 3, "e": 6, "c": 15}).grade == Grade.ORANGE  # 270
    assert assess(method=Method.LEC, inputs={"l": 1, "e": 6, "c": 15}).grade == Grade.YELLOW  # 90
    assert assess(method=Method.LEC, inputs={"l": "0.1", "e": 10, "c": 1}).value == Decimal(1)
    assert assess(method=Method.LEC, inputs={"l": 1, "e": 2, "c": 40}).grade == Grade.YELLOW  # 80


def test_lec_real_product_exactly_on_a_boundary() -> None:
    # D = 1 × 10 × 7 = 70 is the only table product on a default boundary: 低风险 (D ≤ 70)
    result = assess(method=Method.LEC, inputs={"l": 1, "e": 10, "c": 7})
    assert result.value == Decimal(70)
    assert result.grade == Grade.BLUE
    assert assess(method=Method.LEC, inputs={"l": 10, "e": 1, "c": 7}).grade == Grade.BLUE


def test_ls_products() -> None:
    assert ls_value(4, 5) == 20
    assert assess(method=Method.LS, inputs={"l": 4, "s": 5}).grade == Grade.RED
    assert assess(method=Method.LS, inputs={"l": 4, "s": 4}).grade == Grade.ORANGE
    assert assess(method=Method.LS, inputs={"l": 3, "s": 3}).grade == Grade.YELLOW
    assert assess(method=Method.LS, inputs={"l": 2, "s": 4}).grade == Grade.BLUE


def test_direct_determination_overrides_a_low_score() -> None:
    result = assess(method=Method.LEC, inputs={"l": "0.1", "e": "0.5", "c": 1}, direct_major=True)
    assert result.score_grade == Grade.BLUE
    assert result.grade == Grade.RED
    assert result.direct
    assert assess(method=Method.LS, inputs={"l": 1, "s": 1}, direct_major=True).grade == Grade.RED
    assert assess(method=Method.DIRECT, inputs={}, direct_major=True).grade == Grade.RED
    with pytest.raises(ValueError):
        assess(method=Method.DIRECT, inputs={})


def test_values_outside_the_standard_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="L"):
        lec_value(7, 6, 15)
    with pytest.raises(ValueError, match="S"):
        ls_value(1, 6)


def test_bands_must_decrease_and_describe_themselves() -> None:
    with pytest.raises(ValueError):
        Bands(Decimal(10), Decimal(20), Decimal(5))
    text = [t for _g, t in LEC_DEFAULT.describe("D")]
    assert text == ["D > 320", "160 < D ≤ 320", "70 < D ≤ 160", "D ≤ 70"]


def test_configured_inclusive_scheme_moves_the_boundary() -> None:
    inclusive = Bands(Decimal(320), Decimal(160), Decimal(70), inclusive=True)
    assert grade_for(Decimal(320), inclusive) == Grade.RED
    assert grade_for(Decimal(320), LEC_DEFAULT) == Grade.ORANGE


@given(st.sampled_from(list(LEC_L)), st.sampled_from(list(LEC_E)), st.sampled_from(list(LEC_C)),
       st.booleans())
def test_lec_grade_is_monotonic_and_direct_is_red(l: Decimal, e: Decimal, c: Decimal, direct: bool) -> None:  # noqa: E741
    result = assess(method=Method.LEC, inputs={"l": l, "e": e, "c": c}, direct_major=direct)
    assert result.value == l * e * c
    d = result.value
    expected = (Grade.RED if d > 320 else Grade.ORANGE if d > 160 else Grade.YELLOW if d > 70 else Grade.BLUE)
    assert result.score_grade == expected
    assert result.grade == (Grade.RED if direct else expected)
    # a bigger consequence never lowers the grade
    bigger = [x for x in LEC_C if x > c]
    if bigger:
        up = assess(method=Method.LEC, inputs={"l": l, "e": e, "c": min(bigger)})
        assert GRADE_RANK[up.grade] >= GRADE_RANK[result.score_grade]


@given(st.sampled_from(list(LS_L)), st.sampled_from(list(LS_S)))
def test_ls_bands_cover_every_product(l: Decimal, s: Decimal) -> None:  # noqa: E741
    r = l * s
    grade = assess(method=Method.LS, inputs={"l": l, "s": s}).grade
    assert grade == (Grade.RED if r >= 20 else Grade.ORANGE if r >= 15 else Grade.YELLOW if r >= 9 else Grade.BLUE)


@given(st.lists(st.sampled_from([*Grade.values, None]), max_size=8))
def test_highest_is_the_most_severe(grades: list[str | None]) -> None:
    got = highest(grades)
    present = [g for g in grades if g]
    if not present:
        assert got is None
    else:
        assert GRADE_RANK[got] == max(GRADE_RANK[g] for g in present)
