"""Tests for campaigns.deadline_phrases: hand-written cases, the Xiangxiang 2020 plan, properties."""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.deadline_phrases import KINDS, RECURRENCES, Deadline, DeadlineError, parse_deadline

# The project keeps its own copy of the reference (loaded by load_seed_campaign).
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "xiangxiang-2020-plan.json"

# Rows whose JSON `deadline` disagrees with what the text says; the parser follows the text.
# (plan code, row_index) -> the due date the parser gives.
KNOWN_DISAGREEMENTS: dict[tuple[str, int], date] = {
    # "2020年完成\n定期开展，长期坚持": the cell names a completion year; the JSON leaves it null
    # because the cell also says 长期坚持 (see its deadline_note).
    ("D6", 7): date(2020, 12, 31),
}


# --- hand-written cases -------------------------------------------------------------------

DATED = [
    ("2020年8月底", None, date(2020, 8, 31)),
    ("2020.12", None, date(2020, 12, 31)),
    ("2020．12", None, date(2020, 12, 31)),
    ("２０２０年１２月", None, date(2020, 12, 31)),
    ("2020-12", None, date(2020, 12, 31)),
    ("2020/12/31", None, date(2020, 12, 31)),
    ("２０２０／２／２９", None, date(2020, 2, 29)),
    ("2020年12月", None, date(2020, 12, 31)),
    ("2020年12月前", None, date(2020, 12, 31)),
    ("2020年12月底前", None, date(2020, 12, 31)),
    ("2020年底前", None, date(2020, 12, 31)),
    ("2020年年底前", None, date(2020, 12, 31)),
    ("2020年12月31日前", None, date(2020, 12, 31)),
    ("2020年11月30日", None, date(2020, 11, 30)),
    ("2020年9月30日以前", None, date(2020, 9, 30)),
    ("2021年6月", None, date(2021, 6, 30)),
    ("2022年底", None, date(2022, 12, 31)),
    ("2020年", None, date(2020, 12, 31)),
    ("2020年度", None, date(2020, 12, 31)),
    ("2020年内完成", None, date(2020, 12, 31)),
    ("2020年初步完成", None, date(2020, 12, 31)),
    ("2021年初", None, date(2021, 1, 31)),
    ("2020年上半年", None, date(2020, 6, 30)),
    ("2020年下半年", None, date(2020, 12, 31)),
    ("2020年第三季度", None, date(2020, 9, 30)),
    ("2020年三季度末", None, date(2020, 9, 30)),
    ("2020年6月上旬", None, date(2020, 6, 10)),
    ("2020年6月中旬", None, date(2020, 6, 20)),
    ("2020年6月下旬", None, date(2020, 6, 30)),
    ("2020年2月份", None, date(2020, 2, 29)),
    ("二〇二〇年十二月三十一日", None, date(2020, 12, 31)),
    ("2020年至2022年", None, date(2022, 12, 31)),
    ("2020-2022年", None, date(2022, 12, 31)),
    ("2020年7月至12月", None, date(2020, 12, 31)),
    ("2020年11月至2月", None, date(2021, 2, 28)),
    ("2020年7月1日至15日", None, date(2020, 7, 15)),
    ("2020.7-2020.12", None, date(2020, 12, 31)),
    ("2020年8月底前完成", None, date(2020, 8, 31)),
    ("2020年12月底到位", None, date(2020, 12, 31)),
    ("2020年9月底前完成排查，12月底前完成整治", None, date(2020, 12, 31)),
    ("1、2020年9月底前完成\n2、2020年12月底前完成", None, date(2020, 12, 31)),
    ("①2020年9月底前 ②2020年10月底前", None, date(2020, 10, 31)),
    ("2020年完成\n定期开展，长期坚持", None, date(2020, 12, 31)),
    ("10月30日前", 2020, date(2020, 10, 30)),
    ("12月底前", 2020, date(2020, 12, 31)),
    ("年底前", 2020, date(2020, 12, 31)),
    ("第四季度", 2021, date(2021, 12, 31)),
    ("  2020年8月  ", None, date(2020, 8, 31)),
]


@pytest.mark.parametrize(("text", "year", "due"), DATED)
def test_dated_phrases(text: str, year: int | None, due: date) -> None:
    result = parse_deadline(text, default_year=year)
    assert result == Deadline("date", due, text.strip())


@pytest.mark.parametrize(
    ("text", "kind", "recurrence"),
    [
        ("长期坚持", "recurring", None),
        ("长期", "recurring", None),
        ("持续推进", "recurring", None),
        ("定期开展", "recurring", None),
        ("常态化开展", "recurring", None),
        ("定期开展，长期坚持", "recurring", None),
        ("每月", "recurring", "monthly"),
        ("每季度开展一次", "recurring", "quarterly"),
        ("每年12月底前", "recurring", "yearly"),
        ("即时", "immediate", None),
        ("立即", "immediate", None),
        ("立行立改", "immediate", None),
        ("待定", "pending", None),
        ("视情况确定", "pending", None),
        ("已落实", "done", None),
        ("已完成", "done", None),
    ],
)
def test_undated_phrases(text: str, kind: str, recurrence: str | None) -> None:
    assert parse_deadline(text, default_year=2020) == Deadline(kind, None, text, recurrence)


def test_immediate_takes_today() -> None:
    assert parse_deadline("立即整改", today=date(2024, 5, 6)).due == date(2024, 5, 6)
    assert parse_deadline("2020年底前", today=date(2024, 5, 6)).due == date(2020, 12, 31)


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("", None, "完成时间为空"),
        ("   ", None, "完成时间为空"),
        ("10月30日前", None, "未写明年份"),
        ("年底前", None, "未写明年份"),
        ("2020年2月30日", None, "日期无效"),
        ("2021年2月29日", None, "日期无效"),
        ("2020年13月", None, "日期无效"),
        ("13月底前", 2020, "日期无效"),
        ("2020.13", None, "日期无效"),
        ("2020/2/30", None, "日期无效"),
        ("2020年6月31日", None, "日期无效"),
        ("按要求完成", None, "无法识别的完成时间：“按要求完成”"),
        ("彻底整治", None, "无法识别"),
    ],
)
def test_errors(text: str, year: int | None, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        parse_deadline(text, default_year=year)


def test_none_text_is_empty() -> None:
    with pytest.raises(DeadlineError, match="完成时间为空"):
        parse_deadline(None)  # type: ignore[arg-type]


# --- the Xiangxiang 2020 plan -------------------------------------------------------------


def _reference_rows() -> list:
    if not REFERENCE.exists():
        return [
            pytest.param(None, id="no-reference", marks=pytest.mark.skip(reason=f"{REFERENCE} is absent"))
        ]
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    params = []
    for plan in data["plans"]:
        for row in (plan.get("task_list_2020") or {}).get("rows", []):
            params.append(pytest.param((plan["code"], row), id=f"{plan['code']}-{row['row_index']}"))
    return params


@pytest.mark.parametrize("item", _reference_rows())
def test_reference_rows(item: tuple[str, dict]) -> None:
    code, row = item
    # A blank merged cell repeats the value above it; the JSON keeps that under `inherited`.
    text = row["deadline_text"] or row.get("inherited", {}).get("deadline_text")
    result = parse_deadline(text, default_year=2020)
    key = (code, row["row_index"])
    if key in KNOWN_DISAGREEMENTS:
        assert result.due == KNOWN_DISAGREEMENTS[key]
        expected = date.fromisoformat(row["deadline"]) if row["deadline"] else None
        assert result.due != expected, f"{key} now agrees with the JSON; drop it from KNOWN_DISAGREEMENTS"
    elif row["deadline"] is None:
        assert result.kind != "date", text
    else:
        assert result.kind == "date", text
        assert result.due == date.fromisoformat(row["deadline"]), text


# --- properties ---------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789./-", "０１２３４５６７８９．／－")


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _quarter_end(d: date) -> date:
    return _month_end(d.year, 3 * ((d.month - 1) // 3 + 1))


def _xun_end(d: date) -> date:
    """Last day of the 旬 (上旬 1-10, 中旬 11-20, 下旬 21-end) that holds d."""
    return (
        d.replace(day=10)
        if d.day <= 10
        else d.replace(day=20)
        if d.day <= 20
        else _month_end(d.year, d.month)
    )


# style -> (format, expected due for date d)
STYLES = {
    "ymd": (lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: d),
    "ymd-before": (lambda d: f"{d.year}年{d.month}月{d.day}日前", lambda d: d),
    "ymd-yiqian": (lambda d: f"{d.year}年{d.month}月{d.day}日以前完成", lambda d: d),
    "slash": (lambda d: f"{d.year}/{d.month}/{d.day}", lambda d: d),
    "iso": (lambda d: d.isoformat(), lambda d: d),
    "dots": (lambda d: f"{d.year}.{d.month}.{d.day}", lambda d: d),
    "ym": (lambda d: f"{d.year}年{d.month}月", lambda d: _month_end(d.year, d.month)),
    "ym-fen": (lambda d: f"{d.year}年{d.month:02d}月份", lambda d: _month_end(d.year, d.month)),
    "ym-before": (lambda d: f"{d.year}年{d.month}月前", lambda d: _month_end(d.year, d.month)),
    "ym-end": (lambda d: f"{d.year}年{d.month}月底", lambda d: _month_end(d.year, d.month)),
    "ym-end-before": (lambda d: f"{d.year}年{d.month}月底前完成", lambda d: _month_end(d.year, d.month)),
    "ym-mo": (lambda d: f"{d.year}年{d.month}月末到位", lambda d: _month_end(d.year, d.month)),
    "y.m": (lambda d: f"{d.year}.{d.month}", lambda d: _month_end(d.year, d.month)),
    "y-mm": (lambda d: f"{d.year}-{d.month:02d}", lambda d: _month_end(d.year, d.month)),
    "y/m": (lambda d: f"{d.year}/{d.month}", lambda d: _month_end(d.year, d.month)),
    "y": (lambda d: f"{d.year}年", lambda d: date(d.year, 12, 31)),
    "y-end": (lambda d: f"{d.year}年底前", lambda d: date(d.year, 12, 31)),
    "y-nei": (lambda d: f"{d.year}年内完成", lambda d: date(d.year, 12, 31)),
    "half": (
        lambda d: f"{d.year}年{'上' if d.month <= 6 else '下'}半年",
        lambda d: date(d.year, 6, 30) if d.month <= 6 else date(d.year, 12, 31),
    ),
    "quarter": (lambda d: f"{d.year}年第{'一二三四'[(d.month - 1) // 3]}季度", _quarter_end),
    "quarter-digit": (lambda d: f"{d.year}年第{(d.month - 1) // 3 + 1}季度末", _quarter_end),
    "xun": (
        lambda d: f"{d.year}年{d.month}月{'上中下'[min(d.day - 1, 29) // 10]}旬",
        _xun_end,
    ),
    "range": (lambda d: f"{d.year - 2}年至{d.year}年", lambda d: date(d.year, 12, 31)),
    "range-dash": (lambda d: f"{d.year - 2}-{d.year}年", lambda d: date(d.year, 12, 31)),
}
YEARLESS = {
    "md-before": (lambda d: f"{d.month}月{d.day}日前", lambda d: d),
    "m-end-before": (lambda d: f"{d.month}月底前", lambda d: _month_end(d.year, d.month)),
    "year-end": (lambda d: "年底前", lambda d: date(d.year, 12, 31)),
}

dates = st.dates(min_value=date(1902, 1, 1), max_value=date(2199, 12, 31))


@given(dates, st.sampled_from(sorted(STYLES)), st.booleans())
def test_styles_round_trip(d: date, style: str, full_width: bool) -> None:
    fmt, expected = STYLES[style]
    text = fmt(d).translate(FULL_WIDTH) if full_width else fmt(d)
    assert parse_deadline(text) == Deadline("date", expected(d), text)


@given(dates, st.sampled_from(sorted(YEARLESS)), st.booleans())
def test_yearless_styles_use_default_year(d: date, style: str, full_width: bool) -> None:
    fmt, expected = YEARLESS[style]
    text = fmt(d).translate(FULL_WIDTH) if full_width else fmt(d)
    assert parse_deadline(text, default_year=d.year).due == expected(d)
    with pytest.raises(DeadlineError, match="未写明年份"):
        parse_deadline(text)


@given(st.lists(st.tuples(dates, st.sampled_from(sorted(STYLES))), min_size=2, max_size=4))
def test_last_date_wins(items: list[tuple[date, str]]) -> None:
    text = "，".join(f"{STYLES[s][0](d)}完成第{i + 1}项" for i, (d, s) in enumerate(items))
    d, s = items[-1]
    assert parse_deadline(text).due == STYLES[s][1](d)


ALPHABET = "0123456789０１２３４５６７８９年月日号底前末初上中下旬半季度第至到-./~、，,①()（）长期即时待定已落实每坚持 \n〇一二三十"


@given(
    st.one_of(st.text(), st.text(alphabet=ALPHABET, max_size=30)),
    st.one_of(st.none(), st.integers(-(10**20), 10**20), st.integers(1, 9999)),
)
def test_garbage_raises_only_deadline_error(text: str, year: int | None) -> None:
    try:
        result = parse_deadline(text, default_year=year)
    except DeadlineError as exc:
        assert str(exc)
        return
    assert result.kind in KINDS
    assert result.text == text.strip()
    assert (result.due is not None) == (result.kind == "date")
    assert result.recurrence is None or (result.kind == "recurring" and result.recurrence in RECURRENCES)


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("每半年", "half"),
        ("每半年报送一次", "half"),
        ("2024年起每年", "yearly"),
        ("2024年起，每年10月底前", "yearly"),
        ("自2025年开始每季度", "quarterly"),
        ("2024年起每半年开展一次", "half"),
    ],
)
def test_recurring_duties_as_real_plans_write_them(text: str, recurrence: str) -> None:
    """每半年 is a recurrence; "2024年起每年" is a yearly duty from 2024, not one date in 2024."""
    result = parse_deadline(text, default_year=2024)
    assert (result.kind, result.due, result.recurrence) == ("recurring", None, recurrence)
    assert recurrence in RECURRENCES


@pytest.mark.parametrize("text", ["按国家、省统一部署", "根据上级安排", "按照省安委会统一部署推进"])
def test_deployment_phrases_are_pending(text: str) -> None:
    assert parse_deadline(text).kind == "pending"


def test_a_date_after_since_is_still_a_date() -> None:
    assert parse_deadline("2024年起至2025年6月底").due == date(2025, 6, 30)
