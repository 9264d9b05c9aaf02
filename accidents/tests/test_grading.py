"""The grade by 条例第三条 at every threshold, both sides, and the 补报 window of 第十三条."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accidents.choices import GRADE_ORDER, Grade
from accidents.grading import grade_for, revision_last_day

G, L, M, X = Grade.GENERAL, Grade.LARGER, Grade.MAJOR, Grade.GRAVE


@pytest.mark.parametrize(("deaths", "grade"), [(0, G), (2, G), (3, L), (9, L), (10, M), (29, M), (30, X), (31, X)])
def test_deaths_thresholds(deaths: int, grade: str) -> None:
    assert grade_for(deaths, 0, Decimal(0)) == grade


@pytest.mark.parametrize(("serious", "grade"), [(0, G), (9, G), (10, L), (49, L), (50, M), (99, M), (100, X)])
def test_serious_injury_thresholds(serious: int, grade: str) -> None:
    assert grade_for(0, serious, Decimal(0)) == grade


@pytest.mark.parametrize(("loss", "grade"), [
    ("0", G), ("999.99", G), ("1000", L), ("1000.00", L), ("4999.99", L), ("5000", M), ("9999.99", M),
    ("10000", X), ("250000", X)])
def test_direct_loss_thresholds_in_wan_yuan(loss: str, grade: str) -> None:
    # 1000万元 = 1000 万元; 5000万元; 1亿元 = 10000 万元. "以上" includes the number itself.
    assert grade_for(0, 0, Decimal(loss)) == grade


def test_the_highest_measure_decides() -> None:
    assert grade_for(1, 55, Decimal("10")) == M
    assert grade_for(12, 0, Decimal("20000")) == X
    assert grade_for(2, 9, Decimal("999.99")) == G


counts = st.integers(min_value=0, max_value=500)
losses = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)


@given(counts, counts, losses, st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50),
       st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False))
def test_grade_is_monotone_in_each_input(d: int, s: int, loss: Decimal, dd: int, ds: int, dl: Decimal) -> None:
    base = GRADE_ORDER[grade_for(d, s, loss)]
    assert GRADE_ORDER[grade_for(d + dd, s, loss)] >= base
    assert GRADE_ORDER[grade_for(d, s + ds, loss)] >= base
    assert GRADE_ORDER[grade_for(d, s, loss + dl)] >= base


def test_revision_window_is_thirty_days_after_the_day_of_the_accident() -> None:
    day = dt.date(2026, 5, 1)
    assert revision_last_day(day, road_traffic=False, fire=False) == dt.date(2026, 5, 31)
    assert revision_last_day(day, road_traffic=True, fire=False) == dt.date(2026, 5, 8)
    assert revision_last_day(day, road_traffic=False, fire=True) == dt.date(2026, 5, 8)
