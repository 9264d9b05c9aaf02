"""Seed the calendar from the chinese_calendar library (``manage.py load_calendar``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from workdays import services
from workdays.choices import DaySource, YearStatus
from workdays.models import CalendarDay, CalendarYear

FIRST_YEAR = 2004  # the library's first year


@dataclass
class LoadReport:
    loaded: list[int] = field(default_factory=list)      # official years written or refreshed
    unchanged: list[int] = field(default_factory=list)   # official years already identical
    kept_manual: list[int] = field(default_factory=list)  # years an administrator maintains
    fallback: list[int] = field(default_factory=list)    # years without data (weekends only)
    days: int = 0


def library_source() -> str:
    import chinese_calendar

    return f"chinese_calendar {getattr(chinese_calendar, '__version__', '')}".strip()


def load_calendar(*, until_year: int | None = None) -> LoadReport:
    """Idempotent. Years an administrator edited by hand are never overwritten."""
    report = LoadReport()
    until = max(until_year or 0, timezone.localdate().year + 1)
    source = library_source()
    rows = {r.year: r for r in CalendarYear.objects.all()}
    for year in range(FIRST_YEAR, until + 1):
        row = rows.get(year)
        manual = row is not None and row.status == YearStatus.OFFICIAL and not row.source.startswith("chinese_calendar")
        if manual:
            report.kept_manual.append(year)
            continue
        lib = services.library_year(year)
        if lib is None:
            if row is None or row.status != YearStatus.FALLBACK:
                services.year_mark_fallback(actor=None, year=year, source="")
            report.fallback.append(year)
            continue
        wanted = sorted((d, w, n) for d, (w, n) in lib.items())
        current = sorted(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name"))
        if row is not None and row.status == YearStatus.OFFICIAL and current == wanted and row.source == source:
            report.unchanged.append(year)
            continue
        services.year_set_schedule(
            actor=None, year=year, days=[services.DayEntry(d, w, n) for d, w, n in wanted], source=source,
            status=YearStatus.OFFICIAL, day_source=DaySource.OFFICIAL)
        report.loaded.append(year)
        report.days += len(wanted)
    return report


def _span(years: list[int]) -> str:
    if not years:
        return "无"
    return f"{years[0]}–{years[-1]}" if len(years) > 1 and years[-1] - years[0] == len(years) - 1 else "、".join(
        str(y) for y in years)


def describe(report: LoadReport) -> list[str]:
    lines = [f"工作日历：载入 {len(report.loaded)} 个年度（{_span(report.loaded)}，共 {report.days} 个节假日/调休日），"
             f"{len(report.unchanged)} 个年度无变化（{_span(report.unchanged)}）。"]
    if report.kept_manual:
        lines.append(f"保留管理员维护的年度：{_span(report.kept_manual)}。")
    if report.fallback:
        lines.append(f"以下年度尚无国务院节假日安排，暂按周末计算，请系统管理员在“工作日历”中补录："
                     f"{_span(report.fallback)}。")
    return lines


__all__ = ["LoadReport", "describe", "load_calendar"]
