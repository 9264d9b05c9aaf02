"""parse_schedule: deadlines as real plans write them (stages, recurring duties with anchors, working days
after an event, undated phrases kept pending verbatim) — hand-written cases and properties."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.deadline_phrases import (
    SCHEDULE_KINDS,
    Cycle,
    Relative,
    Schedule,
    Stage,
    occurrences,
    parse_schedule,
)

D = date


@pytest.mark.parametrize(("text", "stages"), [
    ("2025年底前基本完成，2026年持续巩固", [(D(2025, 12, 31), "2025年底前基本完成"), (D(2026, 12, 31), "2026年持续巩固")]),
    ("2020年9月底前完成排查，12月底前完成整治", [(D(2020, 9, 30), "2020年9月底前完成排查"),
                                                 (D(2020, 12, 31), "12月底前完成整治")]),
    ("1、2020年9月底前完成\n2、2020年12月底前完成", [(D(2020, 9, 30), "1、2020年9月底前完成"),
                                                    (D(2020, 12, 31), "2、2020年12月底前完成")]),
    ("2020年7月前完成“回头看”工作，12月底前完成公路安防设施建设任务",
     [(D(2020, 7, 31), "2020年7月前完成“回头看”工作"), (D(2020, 12, 31), "12月底前完成公路安防设施建设任务")]),
    ("2020年，制定方案；2021年，建成系统；2022年底前全面完成",
     [(D(2020, 12, 31), "2020年"), (D(2021, 12, 31), "2021年"), (D(2022, 12, 31), "2022年底前全面完成")]),
    ("2020年至2022年", [(D(2022, 12, 31), "2020年至2022年")]),
])
def test_stages_each_keep_their_clause_and_date(text: str, stages: list[tuple[date, str]]) -> None:
    result = parse_schedule(text, default_year=2020)
    assert result.kind == "stages" and result.text == text
    assert [(s.due, s.text) for s in result.stages] == stages


@pytest.mark.parametrize(("text", "cycle"), [
    ("每年10月31日前", Cycle("yearly", 10, 31)),
    ("每年10月底前报送", Cycle("yearly", 10, None)),
    ("每月25日前", Cycle("monthly", None, 25)),
    ("每季度", Cycle("quarterly")),
    ("每半年", Cycle("half")),
    ("每年开展一次", Cycle("yearly")),
    ("2024年起每年", Cycle("yearly", since=2024)),
    ("2024年起，每半年开展一次", Cycle("half", since=2024)),
    ("每季度第1月10日前", Cycle("quarterly", 1, 10)),
])
def test_recurring_duties_keep_their_anchor(text: str, cycle: Cycle) -> None:
    result = parse_schedule(text, default_year=2024)
    assert (result.kind, result.cycle, result.stages) == ("recurring", cycle, ())


def test_a_stage_then_a_recurring_duty() -> None:
    result = parse_schedule("2020年底前完成，此后每年复查", default_year=2020)
    assert result.kind == "recurring" and result.cycle == Cycle("yearly")
    assert result.stages == (Stage(D(2020, 12, 31), "2020年底前完成"),)


@pytest.mark.parametrize(("text", "relative"), [
    ("收到通知后5个工作日内", Relative(5, "收到通知")),
    ("自发现之日起3个工作日内完成", Relative(3, "发现")),
    ("7个工作日内作出决定", Relative(7, "")),
    ("接报后十个工作日内", Relative(10, "接报")),
])
def test_working_days_after_an_event(text: str, relative: Relative) -> None:
    assert parse_schedule(text) == Schedule("relative", text, relative=relative)


@pytest.mark.parametrize("text", ["按国家、省统一部署", "根据上级安排", "待定", "另行通知"])
def test_undated_phrases_stay_pending_verbatim(text: str) -> None:
    assert parse_schedule(text) == Schedule("pending", text)


def test_ongoing_duty_without_a_period_has_no_cycle() -> None:
    assert parse_schedule("长期坚持") == Schedule("recurring", "长期坚持")


def test_an_impossible_date_is_kept_pending_with_the_reason() -> None:
    result = parse_schedule("2020年13月")
    assert result.kind == "pending" and result.text == "2020年13月" and "日期无效" in result.error


@pytest.mark.parametrize(("cycle", "start", "end", "expected"), [
    (Cycle("yearly", 10, 31), D(2020, 6, 1), D(2022, 12, 31), [D(2020, 10, 31), D(2021, 10, 31), D(2022, 10, 31)]),
    (Cycle("monthly", None, 31), D(2024, 1, 1), D(2024, 3, 31), [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]),
    (Cycle("half"), D(2024, 7, 1), D(2025, 6, 30), [D(2024, 12, 31), D(2025, 6, 30)]),
    (Cycle("quarterly", 1, 10), D(2024, 1, 1), D(2024, 6, 30), [D(2024, 1, 10), D(2024, 4, 10)]),
    (Cycle("yearly", since=2025), D(2024, 1, 1), D(2026, 12, 31), [D(2025, 12, 31), D(2026, 12, 31)]),
])
def test_occurrences_within_the_span(cycle: Cycle, start: date, end: date, expected: list[date]) -> None:
    assert occurrences(cycle, start, end) == expected


# --- properties ------------------------------------------------------------------------------------------------

ALPHABET = ("0123456789０１２３４５６７８９年月日号底前末初上中下旬半季度第至到起-./~、，,；。①()（）\n "
            "长期即时待定已落实每坚持按国家省统一部署工作日个后内收到通知开展一次〇一二三十")
years = st.integers(1950, 2150)
dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31))


def _check_invariants(text: str, result: Schedule) -> None:
    assert result.kind in SCHEDULE_KINDS
    assert result.text == text.strip()  # the phrase is always kept as written
    if result.kind == "stages":
        assert result.stages and result.cycle is None and result.relative is None
    if result.kind == "recurring":
        assert result.cycle is None or result.cycle.every in ("monthly", "quarterly", "half", "yearly")
    if result.kind == "relative":
        assert result.relative is not None and result.relative.workdays > 0
    if result.kind not in ("stages", "recurring"):
        assert result.stages == () and result.cycle is None
    if result.kind != "pending":
        assert not result.error  # a reason only ever comes with a phrase kept pending
    for stage in result.stages:
        assert stage.due.year >= 1 and stage.text.strip()


@given(st.one_of(st.text(max_size=60), st.text(alphabet=ALPHABET, max_size=40)),
       st.one_of(st.none(), years))
def test_any_phrase_parses_or_is_kept_pending_and_never_raises(text: str, year: int | None) -> None:
    _check_invariants(text, parse_schedule(text, default_year=year))


def _style(d: date, i: int) -> str:
    return [f"{d.year}年{d.month}月{d.day}日前", f"{d.year}年{d.month}月底前", f"{d.year}年底前",
            f"{d.year}.{d.month}", f"{d.year}年第{(d.month - 1) // 3 + 1}季度"][i]


def _expected(d: date, i: int) -> date:
    last = calendar.monthrange(d.year, d.month)[1]
    q = ((d.month - 1) // 3 + 1) * 3
    return [d, D(d.year, d.month, last), D(d.year, 12, 31), D(d.year, d.month, last),
            D(d.year, q, calendar.monthrange(d.year, q)[1])][i]


@given(st.lists(st.tuples(dates, st.integers(0, 4)), min_size=1, max_size=4),
       st.sampled_from(["，", "；", "。", "\n", ","]))
def test_generated_staged_phrases_give_one_stage_per_clause(items: list[tuple[date, int]], sep: str) -> None:
    text = sep.join(f"{_style(d, i)}完成第{n + 1}项工作" for n, (d, i) in enumerate(items))
    result = parse_schedule(text)
    _check_invariants(text, result)
    assert result.kind == "stages"
    assert [s.due for s in result.stages] == [_expected(d, i) for d, i in items]
    for stage, (d, i) in zip(result.stages, items, strict=True):
        assert stage.text.startswith(_style(d, i)) and stage.text in text  # each stage keeps its clause


@given(st.sampled_from(["每年", "每季度", "每半年", "每月"]), st.integers(1, 12), st.integers(1, 31),
       st.booleans(), st.one_of(st.none(), years))
def test_generated_recurring_phrases_give_their_anchor(every: str, month: int, day: int, with_month: bool,
                                                       since: int | None) -> None:
    anchor = (f"{month}月" if with_month and every == "每年" else "") + f"{day}日前"
    text = (f"{since}年起" if since else "") + every + anchor + "报送"
    result = parse_schedule(text)
    _check_invariants(text, result)
    kind = {"每年": "yearly", "每季度": "quarterly", "每半年": "half", "每月": "monthly"}[every]
    assert result.kind == "recurring" and result.cycle is not None
    assert result.cycle == Cycle(kind, month if with_month and every == "每年" else None, day, since)


@given(st.sampled_from(["monthly", "quarterly", "half", "yearly"]), st.one_of(st.none(), st.integers(1, 12)),
       st.one_of(st.none(), st.integers(1, 31)), dates, st.integers(0, 2000))
def test_occurrences_are_in_span_one_per_period(every: str, month: int | None, day: int | None, start: date,
                                                 length: int) -> None:
    months = {"monthly": 1, "quarterly": 3, "half": 6, "yearly": 12}[every]
    if month is not None and month > months:
        month = None
    end = D.fromordinal(start.toordinal() + length)
    got = occurrences(Cycle(every, month, day), start, end)
    assert got == sorted(set(got)) and all(start <= d <= end for d in got)
    periods = {(d.year, (d.month - 1) // months) for d in got}
    assert len(periods) == len(got)  # at most one due date per period
    assert len(got) >= (length // 366) * (12 // months)  # and none missed in a full year


@given(st.one_of(st.text(alphabet=ALPHABET, max_size=40),
                 st.sampled_from(["2025年底前基本完成，2026年持续巩固", "每年10月31日前", "每月25日前", "每半年",
                                  "2024年起每年开展一次", "收到通知后5个工作日内", "按国家、省统一部署"])),
       dates, st.integers(0, 1500))
def test_milestones_a_phrase_gives_are_keyed_within_the_span_and_deterministic(text: str, start: date,
                                                                               length: int) -> None:
    from campaigns.milestones import wanted_for
    from campaigns.models import Campaign, Task

    end = D.fromordinal(start.toordinal() + length)
    task = Task(campaign=Campaign(starts_on=start, ends_on=end), deadline_text=text)
    schedule = parse_schedule(text, default_year=start.year)
    wanted = wanted_for(task, schedule)
    assert wanted == wanted_for(task, parse_schedule(text, default_year=start.year))  # regenerating changes nothing
    stages = [w for k, w in wanted.items() if k.startswith("s")]
    occurrences_ = [w for k, w in wanted.items() if w.kind == "occurrence"]
    assert all(start <= w.due <= end for w in occurrences_)
    assert [w.due for w in stages] == ([s.due for s in schedule.stages] if stages else [])
    assert len(stages) != 1 or schedule.cycle is not None or schedule.relative is not None  # one date: no milestone
    assert ("r" in wanted) == (schedule.relative is not None)
