"""Entering a year's schedule: the form's text lines and the .xlsx import (日期 | 是否工作日 | 名称).

Both are all-or-nothing: any bad line or row refuses the whole input with a Chinese report naming
each line or row, and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from core.imports import Importer, Outcome, Progress
from core.spreadsheet import Column, read_rows, template_bytes, to_bool, to_date
from workdays import services
from workdays.models import CalendarDay
from workdays.services import DayEntry

_DATE = r"(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_LINE = re.compile(rf"^(?P<a>{_DATE})\s*(?:(?:至|到|~|～|—|－|–)\s*(?P<b>{_DATE}))?\s*[，,、:：]?\s*(?P<name>.*)$")
_PARTS = re.compile(r"(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
MAX_RANGE_DAYS = 15  # the longest official holiday (国庆 / 春节 with 调休) is 8–9 days

COLUMNS = [
    Column("日期", "date", required=True, help="如 2027-02-06", width=14),
    Column("是否工作日", "is_workday", required=True, help="放假填“否”或“放假”；调休上班填“是”或“上班”", width=12),
    Column("名称", "name", help="如 春节、调休上班", width=16),
]
WORK_WORDS = {"上班": True, "工作日": True, "调休上班": True, "补班": True, "班": True,
              "放假": False, "休息": False, "休息日": False, "节假日": False, "休": False}


def parse_date(text: str, year: int) -> dt.date:
    m = _PARTS.search(text)
    if m is None:
        raise ValueError(_("“%(t)s”不是日期（应如 2027-02-06 或 2月6日）") % {"t": text})
    y = int(m.group("y") or year)
    try:
        return dt.date(y, int(m.group("m")), int(m.group("d")))
    except ValueError as exc:
        raise ValueError(_("“%(t)s”不是有效日期") % {"t": text}) from exc


def parse_schedule_text(year: int, holidays: str, workdays: str) -> list[DayEntry]:
    """Holiday lines: "2027-02-06 至 2027-02-13 春节" (or one date); working-day lines: "2027-02-14 春节调休"."""
    errors: list[str] = []
    entries: dict[dt.date, DayEntry] = {}

    def lines(text: str) -> list[tuple[int, str]]:
        return [(i, line.strip()) for i, line in enumerate((text or "").splitlines(), start=1) if line.strip()]

    for i, line in lines(holidays):
        m = _LINE.match(line)
        if m is None:
            errors.append(_("放假安排第 %(i)s 行“%(l)s”：格式应为“开始日期 至 结束日期 名称”") % {"i": i, "l": line})
            continue
        try:
            a = parse_date(m.group("a"), year)
            b = parse_date(m.group("b"), year) if m.group("b") else a
        except ValueError as exc:
            errors.append(_("放假安排第 %(i)s 行：%(e)s") % {"i": i, "e": exc})
            continue
        name = m.group("name").strip() or _("放假")
        if b < a:
            errors.append(_("放假安排第 %(i)s 行：结束日期早于开始日期") % {"i": i})
            continue
        if (b - a).days >= MAX_RANGE_DAYS:
            errors.append(_("放假安排第 %(i)s 行：连续放假超过 %(n)s 天，请检查日期") % {"i": i, "n": MAX_RANGE_DAYS})
            continue
        d = a
        while d <= b:
            if d.year != year:
                errors.append(_("放假安排第 %(i)s 行：%(d)s 不在 %(y)s 年内") % {"i": i, "d": d.isoformat(), "y": year})
                break
            if d in entries:
                errors.append(_("放假安排第 %(i)s 行：%(d)s 重复") % {"i": i, "d": d.isoformat()})
            entries[d] = DayEntry(d, False, name[:40])
            d += dt.timedelta(days=1)
    for i, line in lines(workdays):
        m = _LINE.match(line)
        if m is None or m.group("b"):
            errors.append(_("调休上班第 %(i)s 行“%(l)s”：每行填写一个日期和名称") % {"i": i, "l": line})
            continue
        try:
            d = parse_date(m.group("a"), year)
        except ValueError as exc:
            errors.append(_("调休上班第 %(i)s 行：%(e)s") % {"i": i, "e": exc})
            continue
        if d.year != year:
            errors.append(_("调休上班第 %(i)s 行：%(d)s 不在 %(y)s 年内") % {"i": i, "d": d.isoformat(), "y": year})
        elif d.weekday() < 5:
            errors.append(_("调休上班第 %(i)s 行：%(d)s 是工作日，无需调休上班") % {"i": i, "d": d.isoformat()})
        elif d in entries:
            errors.append(_("调休上班第 %(i)s 行：%(d)s 已列为放假日") % {"i": i, "d": d.isoformat()})
        else:
            entries[d] = DayEntry(d, True, (m.group("name").strip() or _("调休上班"))[:40])
    if errors:
        raise ValidationError(errors)
    return sorted(entries.values(), key=lambda e: e.date)


def schedule_as_text(year: int) -> tuple[str, str]:
    """The stored schedule as the form's two texts (consecutive holidays of one name become a range)."""
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    holidays: list[list[Any]] = []
    for day in (d for d in days if not d.is_workday):
        last = holidays[-1] if holidays else None
        if last and last[2] == day.name and (day.date - last[1]).days <= 3 and all(
                d.weekday() >= 5 for d in _gap(last[1], day.date)) and (day.date - last[0]).days < MAX_RANGE_DAYS:
            last[1] = day.date
        else:
            holidays.append([day.date, day.date, day.name])
    h = "\n".join(f"{a.isoformat()} 至 {b.isoformat()} {n}" if a != b else f"{a.isoformat()} {n}"
                  for a, b, n in holidays)
    w = "\n".join(f"{d.date.isoformat()} {d.name}" for d in days if d.is_workday)
    return h, w


def _gap(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=k) for k in range(1, (b - a).days)]


def read_xlsx(file: IO[bytes] | Any, year: int) -> list[DayEntry]:
    rows, missing = read_rows(file, COLUMNS)
    if missing:
        raise ValidationError(_("缺少必填列：%(c)s") % {"c": "、".join(missing)})
    errors: list[str] = []
    entries: dict[dt.date, DayEntry] = {}
    for row_no, values in rows:
        problems: list[str] = []
        try:
            d = to_date(values.get("date"))
            if d is None:
                problems.append(_("日期未填写"))
            elif d.year != year:
                problems.append(_("%(d)s 不在 %(y)s 年内") % {"d": d.isoformat(), "y": year})
            elif d in entries:
                problems.append(_("%(d)s 与前面的行重复") % {"d": d.isoformat()})
        except ValueError as exc:
            d = None
            problems.append(str(exc))
        raw = values.get("is_workday")
        working: bool | None
        if isinstance(raw, str) and raw.strip() in WORK_WORDS:
            working = WORK_WORDS[raw.strip()]
        else:
            try:
                working = to_bool(raw)
            except ValueError as exc:
                working = None
                problems.append(str(exc))
            else:
                if working is None:
                    problems.append(_("“是否工作日”未填写"))
        if d is not None and working is True and d.weekday() < 5 and not problems:
            problems.append(_("%(d)s 是周一至周五，本来就是工作日") % {"d": d.isoformat()})
        if problems:
            errors.append(_("第 %(r)s 行：%(p)s") % {"r": row_no, "p": "；".join(problems)})
            continue
        assert d is not None and working is not None
        name = str(values.get("name") or "").strip() or (_("调休上班") if working else _("放假"))
        entries[d] = DayEntry(d, working, name[:40])
    if not rows:
        errors.append(_("表格中没有数据行。"))
    if errors:
        raise ValidationError(errors)
    return sorted(entries.values(), key=lambda e: e.date)


def template(year: int) -> bytes:
    sample = [[e.date.isoformat(), "否" if not e.is_workday else "是", e.name]
              for e in CalendarDay.objects.filter(date__year=year).order_by("date")]
    if not sample:
        sample = [[f"{year}-01-01", "否", "元旦"]]
    return template_bytes(f"{year}年节假日", COLUMNS,
                          note=_("每行一天：放假的日期填“否”，调休上班的周末填“是”。整表一次导入，任何一行有误则全部不导入。"),
                          rows=sample)


def import_year(*, actor: Any, year: int, file: IO[bytes] | Any, source: str = "",
                progress: Progress | None = None) -> list[DayEntry]:
    """Read the file and replace the year's schedule with it (ValidationError listing every bad row)."""
    days = read_xlsx(file, year)
    if progress:
        progress("write", 0, len(days))
    services.year_set_schedule(actor=actor, year=year, days=days, source=source or _("Excel 导入"))
    return days


def _run(*, actor: Any, file: IO[bytes] | Any, params: dict[str, Any], progress: Progress) -> Outcome:
    try:
        days = import_year(actor=actor, year=params["year"], file=file, source=params.get("source", ""),
                           progress=progress)
    except ValidationError as exc:
        return Outcome(ok=False, errors=[{"row": None, "column": "", "message": m} for m in exc.messages])
    return Outcome(ok=True, total=len(days), created=len(days))


IMPORTER = Importer(
    key="workdays", title=lambda params: _("导入%(y)s年节假日安排") % {"y": params["year"]}, run=_run,
    upload_url=lambda params: reverse("workdays:year_import", args=[params["year"]]),
    done_url=lambda params: reverse("workdays:year", args=[params["year"]]),
    done_message=lambda job: _("已导入 %(y)s 年节假日安排，共 %(n)s 天。") % {"y": job.params["year"], "n": job.total})
