from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workdays import services
from workdays.choices import YearStatus
from workdays.loaders import load_calendar
from workdays.models import CalendarDay, CalendarYear
from workdays.services import DayEntry, add_workdays, calendar_note, is_workday, workdays_between

D = dt.date
SPRING_2024_HOLIDAYS = [D(2024, 2, 10) + dt.timedelta(days=i) for i in range(8)]

dates = st.dates(min_value=D(2018, 1, 1), max_value=D(2028, 12, 31))
offsets = st.integers(min_value=-300, max_value=300)
HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def naive_between(start: dt.date, end: dt.date) -> int:
    """Day by day: (start, end] forwards, minus [end, start) backwards."""
    n, d = 0, start
    while d < end:
        d += dt.timedelta(days=1)
        n += is_workday(d)
    while d > end:
        d -= dt.timedelta(days=1)
        n -= is_workday(d)
    return n


@pytest.fixture
def calendar(db: None) -> None:
    load_calendar(until_year=2027)


def _check_spring_festival_2024() -> None:
    for d in SPRING_2024_HOLIDAYS:
        assert not is_workday(d), d
    assert is_workday(D(2024, 2, 4))   # Sunday, adjusted working day
    assert is_workday(D(2024, 2, 18))  # Sunday, adjusted working day
    assert is_workday(D(2024, 2, 9))   # Friday before the holiday (a rest day only by custom, not by the rule)
    assert add_workdays(D(2024, 2, 8), 1) == D(2024, 2, 9)
    assert add_workdays(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert add_workdays(D(2024, 2, 8), 5) == D(2024, 2, 21)
    assert add_workdays(D(2024, 2, 18), -1) == D(2024, 2, 9)
    assert workdays_between(D(2024, 2, 8), D(2024, 2, 21)) == 5
    assert workdays_between(D(2024, 2, 21), D(2024, 2, 8)) == -5
    assert workdays_between(D(2024, 2, 9), D(2024, 2, 17)) == 0


def test_spring_festival_2024_from_loaded_calendar(calendar: None) -> None:
    assert CalendarYear.objects.get(year=2024).status == YearStatus.OFFICIAL
    # Only days that differ from the weekend rule are stored.
    stored = {d.date: d for d in CalendarDay.objects.filter(date__year=2024)}
    assert D(2024, 2, 12) in stored and not stored[D(2024, 2, 12)].is_workday
    assert stored[D(2024, 2, 12)].name == "春节"
    assert D(2024, 2, 10) not in stored  # a Saturday holiday is already a rest day
    assert stored[D(2024, 2, 4)].is_workday and "春节" in stored[D(2024, 2, 4)].name
    assert all(d.is_workday == (d.date.weekday() >= 5) for d in stored.values())
    _check_spring_festival_2024()


def test_spring_festival_2024_without_loader_uses_library(db: None) -> None:
    assert not CalendarYear.objects.exists()
    _check_spring_festival_2024()
    assert services.year_has_official_data(2024)


def test_national_day_2025(calendar: None) -> None:
    for d in range(1, 9):
        assert not is_workday(D(2025, 10, d))
    assert is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))


def test_loader_is_idempotent_and_reports(calendar: None) -> None:
    days = CalendarDay.objects.count()
    report = load_calendar(until_year=2027)
    assert report.loaded == [] and 2024 in report.unchanged
    assert report.fallback == [y for y in range(2027, max(2027, dt.date.today().year + 1) + 1)]
    assert CalendarDay.objects.count() == days
    assert CalendarYear.objects.get(year=2027).status == YearStatus.FALLBACK


def test_fallback_year_uses_weekends_and_says_so(calendar: None) -> None:
    assert not services.year_has_official_data(2027)
    assert calendar_note(D(2027, 2, 8)) == "2027年尚无国务院节假日安排，按周末计算"
    assert calendar_note(D(2024, 2, 8)) == ""
    assert is_workday(D(2027, 2, 8))  # a Monday; whatever the Spring Festival will be
    assert not is_workday(D(2027, 2, 6))
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 8)
    assert workdays_between(D(2027, 1, 1), D(2027, 12, 31)) == 260


def test_admin_adds_a_year_and_cache_follows(calendar: None, world) -> None:  # noqa: ANN001
    admin = world.user("sysadmin")
    assert is_workday(D(2027, 2, 8))
    days = [DayEntry(D(2027, 2, 6) + dt.timedelta(days=i), False, "春节") for i in range(8)]
    days.append(DayEntry(D(2027, 2, 14), True, "调休上班"))
    services.year_set_schedule(actor=admin, year=2027, days=days, source="国办发明电〔2026〕7号")
    assert not is_workday(D(2027, 2, 8))
    assert is_workday(D(2027, 2, 14))
    assert services.year_has_official_data(2027) and calendar_note(D(2027, 2, 8)) == ""
    # A loader re-run keeps the administrator's year.
    report = load_calendar(until_year=2027)
    assert 2027 in report.kept_manual
    assert not is_workday(D(2027, 2, 8))


def test_only_sysadmin_edits_calendar(world) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        services.year_set_schedule(actor=world.user("office"), year=2027, days=[])


def test_schedule_rejects_days_outside_year(world) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError):
        services.year_set_schedule(actor=world.user("sysadmin"), year=2027,
                                   days=[DayEntry(D(2028, 1, 1), False, "元旦")])
    assert not CalendarYear.objects.filter(year=2027).exists()


@HYP
@given(d=dates, n=offsets)
def test_add_and_between_are_inverse(calendar: None, d: dt.date, n: int) -> None:
    result = add_workdays(d, n)
    assert workdays_between(d, result) == n
    if n != 0:
        assert is_workday(result)
        assert add_workdays(result, -n) == d or not is_workday(d)
        assert (result > d) == (n > 0)
    else:
        assert result == d


@HYP
@given(a=dates, b=dates)
def test_between_matches_day_by_day_count(calendar: None, a: dt.date, b: dt.date) -> None:
    assert workdays_between(a, b) == naive_between(a, b)
    if is_workday(a) and is_workday(b):
        assert workdays_between(a, b) == -workdays_between(b, a)


@HYP
@given(d=dates, n=st.integers(min_value=1, max_value=60))
def test_add_lands_on_first_working_day_after_count(calendar: None, d: dt.date, n: int) -> None:
    result = add_workdays(d, n)
    # No working day is skipped: the day before the result holds exactly n-1 working days after d.
    assert workdays_between(d, result - dt.timedelta(days=1)) == n - 1


holiday_ranges = st.lists(
    st.tuples(st.integers(min_value=1, max_value=355), st.integers(min_value=0, max_value=8),
              st.sampled_from(["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"])),
    min_size=0, max_size=6)


@HYP
@given(ranges=holiday_ranges, fmt=st.sampled_from(["{a} 至 {b} {n}", "{a}~{b}{n}", "{a} 到 {b}，{n}"]))
def test_schedule_text_parses_and_round_trips(db: None, ranges: list[tuple[int, int, str]], fmt: str) -> None:
    from workdays.importer import parse_schedule_text, schedule_as_text

    year = 2031
    start = D(year, 1, 1)
    wanted: dict[dt.date, str] = {}
    lines = []
    for offset, length, name in ranges:
        a = start + dt.timedelta(days=offset)
        b = a + dt.timedelta(days=length)
        if any(a + dt.timedelta(days=k) in wanted for k in range(length + 1)):
            continue
        for k in range(length + 1):
            wanted[a + dt.timedelta(days=k)] = name
        lines.append(fmt.format(a=a.isoformat(), b=b.isoformat(), n=name))
    entries = parse_schedule_text(year, "\n".join(lines), "")
    assert {e.date: e.name for e in entries} == wanted and not any(e.is_workday for e in entries)
    services.year_set_schedule(actor=None, year=year, days=entries)
    holidays, _w = schedule_as_text(year)
    again = parse_schedule_text(year, holidays, "")
    # Shown back as ranges (same-named ranges joined across a weekend): the same days are holidays.
    assert {e.date: e.name for e in again if e.date.weekday() < 5} == {
        d: n for d, n in wanted.items() if d.weekday() < 5}
    assert all(e.date in wanted or e.date.weekday() >= 5 for e in again)
    for d in wanted:
        assert not is_workday(d)


@HYP
@given(text=st.text(max_size=60))
def test_schedule_parser_never_crashes(db: None, text: str) -> None:
    from workdays.importer import parse_schedule_text

    try:
        parse_schedule_text(2031, text, text)
    except ValidationError as exc:
        assert all(isinstance(m, str) and m for m in exc.messages)


def test_other_process_write_is_noticed_after_recheck(calendar: None, monkeypatch: pytest.MonkeyPatch,
                                                      settings) -> None:  # noqa: ANN001
    from django.utils import timezone

    assert is_workday(D(2027, 2, 8))
    # Another process edits the calendar: this process's cache does not see the write itself...
    CalendarYear.objects.filter(year=2027).update(status=YearStatus.OFFICIAL, updated_at=timezone.now())
    CalendarDay.objects.create(date=D(2027, 2, 8), is_workday=False, name="春节")
    assert is_workday(D(2027, 2, 8))
    # ...until its periodic re-check of the years' stamp.
    settings.TESTING = False
    monkeypatch.setattr(services, "RECHECK_SECONDS", 0.0)
    assert not is_workday(D(2027, 2, 8))
