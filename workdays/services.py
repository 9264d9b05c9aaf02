"""Working-day arithmetic on the Chinese calendar, and the calendar's writes.

Reads are pure and fast: each year's exceptions are loaded once per process into a dict (a sweep
asks about thousands of deadlines). Where the data comes from, per year:

1. a ``CalendarYear`` row (official or fallback) with its ``CalendarDay`` rows — the administrator's
   data, seeded by ``manage.py load_calendar``;
2. without a row, the ``chinese_calendar`` library if it knows the year (so arithmetic is right even
   before the loader ran);
3. otherwise the plain rule: Monday to Friday are working days (and ``calendar_note`` says so).

Writes in this process clear the cache at once; other processes notice within ``RECHECK_SECONDS``
(one cheap query on the years' latest update time).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import cn_date
from workdays.choices import DaySource, YearStatus
from workdays.models import CalendarDay, CalendarYear

RECHECK_SECONDS = 30.0

# chinese_calendar's English holiday names -> the names Chinese notices use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass
class YearData:
    official: bool
    source: str  # "db" | "library" | "none"
    exceptions: dict[dt.date, bool] = field(default_factory=dict)  # date -> is_workday
    names: dict[dt.date, str] = field(default_factory=dict)


_lock = threading.Lock()
_years: dict[int, YearData] = {}
_stamp: tuple[Any, ...] | None = None
_checked_at = 0.0


def invalidate() -> None:
    """Forget every cached year (called by the writes below and by tests)."""
    global _stamp, _checked_at
    with _lock:
        _years.clear()
        _stamp = None
        _checked_at = 0.0


def _db_stamp() -> tuple[Any, ...]:
    agg = CalendarYear.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def _maybe_recheck() -> None:
    global _stamp, _checked_at
    now = time.monotonic()
    if now - _checked_at < RECHECK_SECONDS:
        return
    if getattr(settings, "TESTING", False):
        # One process, writes invalidate at once; a timed re-check would only make query counts flaky.
        _checked_at = now
        return
    stamp = _db_stamp()
    with _lock:
        if stamp != _stamp:  # also when never stamped: what is cached may predate the stamp
            _years.clear()
        _stamp = stamp
        _checked_at = now


def library_year(year: int) -> dict[dt.date, tuple[bool, str]] | None:
    """The library's exceptions to the weekend rule for ``year``; None when it does not know the year."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return None
    from chinese_calendar.constants import holidays, workdays

    out: dict[dt.date, tuple[bool, str]] = {}
    for day, holiday in holidays.items():
        if day.year == year and day.weekday() < 5:
            label = str(getattr(holiday, "value", holiday))
            out[day] = (False, HOLIDAY_NAMES.get(label, label))
    for day, holiday in workdays.items():
        if day.year == year and day.weekday() >= 5:
            label = str(getattr(holiday, "value", holiday))
            name = HOLIDAY_NAMES.get(label, label)
            out[day] = (True, _("调休上班（%(n)s）") % {"n": name})
    return out


def _load_year(year: int) -> YearData:
    row = CalendarYear.objects.filter(year=year).first()
    if row is not None:
        data = YearData(official=row.status == YearStatus.OFFICIAL, source="db")
        for day, is_workday, name in CalendarDay.objects.filter(
                date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)).values_list("date", "is_workday", "name"):
            data.names[day] = name
            if is_workday != (day.weekday() < 5):
                data.exceptions[day] = is_workday
        return data
    lib = library_year(year)
    if lib is not None:
        return YearData(official=True, source="library", exceptions={d: w for d, (w, _n) in lib.items()},
                        names={d: n for d, (_w, n) in lib.items()})
    return YearData(official=False, source="none")


def year_data(year: int) -> YearData:
    _maybe_recheck()
    data = _years.get(year)
    if data is None:
        data = _load_year(year)
        with _lock:
            _years[year] = data
    return data


# -- the public reads --------------------------------------------------------------------------------
def is_workday(d: dt.date) -> bool:
    if isinstance(d, dt.datetime):
        d = d.date()
    exc = year_data(d.year).exceptions.get(d)
    return (d.weekday() < 5) if exc is None else exc


def add_workdays(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (before it when n < 0); ``d`` itself when n == 0."""
    if isinstance(d, dt.datetime):
        d = d.date()
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_workday(d):
            remaining -= 1
    return d


def _weekdays_upto(d: dt.date) -> int:
    """Mon–Fri days in [epoch, d] for the Monday epoch 0001-01-01: a closed formula, no loop."""
    days = d.toordinal() - 1  # ordinal 1 is Monday 0001-01-01
    full, rest = divmod(days, 7)
    return full * 5 + min(rest + 1, 5)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; when end < start, minus the working days in [end, start).

    The backward count is chosen so that ``workdays_between(d, add_workdays(d, n)) == n`` for every
    n, forwards and backwards (the sweep counts "working days past the deadline" forwards only)."""
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    if end < start:
        one = dt.timedelta(days=1)
        return -_count_half_open(end - one, start - one)
    return _count_half_open(start, end)


def _count_half_open(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end], start <= end."""
    count = _weekdays_upto(end) - _weekdays_upto(start)
    for year in range(start.year, end.year + 1):
        for day, working in year_data(year).exceptions.items():
            if start < day <= end:
                count += 1 if working else -1
    return count


def year_has_official_data(year: int) -> bool:
    return year_data(year).official


def calendar_note(d: dt.date) -> str:
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        d = d.date()
    if year_has_official_data(d.year):
        return ""
    return _("%(y)s年尚无国务院节假日安排，按周末计算") % {"y": d.year}


def day_name(d: dt.date) -> str:
    return year_data(d.year).names.get(d, "")


def years_overview() -> list[dict[str, Any]]:
    """Every year the system knows of: stored rows, plus library years not loaded yet."""
    rows = {r.year: r for r in CalendarYear.objects.all()}
    counts: dict[int, list[int]] = {}
    for day, working in CalendarDay.objects.values_list("date", "is_workday"):
        c = counts.setdefault(day.year, [0, 0])
        c[0 if not working else 1] += 1
    out = []
    for year in sorted(set(rows) | set(counts), reverse=True):
        row = rows.get(year)
        out.append({"year": year, "row": row, "official": bool(row and row.status == YearStatus.OFFICIAL),
                    "holidays": counts.get(year, [0, 0])[0], "workdays": counts.get(year, [0, 0])[1]})
    return out


# -- writes --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    is_workday: bool
    name: str = ""


def _check_admin(actor: Any) -> None:
    if actor is not None and not actor.has_role(Role.SYSADMIN):
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))


def _invalidate_on_commit() -> None:
    invalidate()
    transaction.on_commit(invalidate)


@transaction.atomic
def year_set_schedule(*, actor: Any, year: int, days: Iterable[DayEntry], source: str = "",
                      status: str = YearStatus.OFFICIAL, day_source: str = DaySource.MANUAL) -> CalendarYear:
    """Replace ``year``'s schedule with ``days`` (all or nothing) and mark the year official."""
    _check_admin(actor)
    days = list(days)
    errors = []
    seen: set[dt.date] = set()
    for entry in days:
        if entry.date.year != year:
            errors.append(_("%(d)s 不在 %(y)s 年内。") % {"d": cn_date(entry.date), "y": year})
        if entry.date in seen:
            errors.append(_("%(d)s 重复出现。") % {"d": cn_date(entry.date)})
        seen.add(entry.date)
    if not 1990 <= year <= 2100:
        errors.append(_("年份应在 1990 到 2100 之间。"))
    if errors:
        raise ValidationError(errors)
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    before_days = sorted(
        (d.isoformat(), w, n) for d, w, n in CalendarDay.objects.filter(date__year=year).values_list(
            "date", "is_workday", "name"))
    before = audit.snapshot(row, ["status", "source"]) if row else {}
    if row is None:
        row = CalendarYear(year=year)
    row.status = status
    row.source = source[:120]
    row.updated_at = timezone.now()
    row.save()
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create([
        CalendarDay(date=e.date, is_workday=e.is_workday, name=e.name[:40], source=day_source)
        for e in sorted(days, key=lambda e: e.date)])
    after_days = sorted((e.date.isoformat(), e.is_workday, e.name[:40]) for e in days)
    changes = audit.diff(before, audit.snapshot(row, ["status", "source"]))
    if before_days != after_days:
        changes["days"] = [before_days, after_days]
    audit.record(actor=actor, action="workdays.year_set_schedule", obj=row, changes=changes,
                 note=_("%(y)s年：放假 %(h)s 天，调休上班 %(w)s 天") % {
                     "y": year, "h": sum(1 for e in days if not e.is_workday),
                     "w": sum(1 for e in days if e.is_workday)})
    _invalidate_on_commit()
    return row


@transaction.atomic
def year_mark_fallback(*, actor: Any, year: int, source: str = "") -> CalendarYear:
    """Record that ``year`` has no official schedule yet (weekends only); keeps no day rows."""
    _check_admin(actor)
    row, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"status": YearStatus.FALLBACK, "source": source})
    before = {} if created else audit.snapshot(row, ["status", "source"])
    removed = CalendarDay.objects.filter(date__year=year).delete()[0] if not created else 0
    row.status = YearStatus.FALLBACK
    row.source = source[:120]
    row.updated_at = timezone.now()
    row.save()
    changes = audit.diff(before, audit.snapshot(row, ["status", "source"]))
    if changes or removed:
        audit.record(actor=actor, action="workdays.year_mark_fallback", obj=row, changes=changes,
                     note=_("删除日期 %(n)s 条") % {"n": removed} if removed else "")
    _invalidate_on_commit()
    return row
