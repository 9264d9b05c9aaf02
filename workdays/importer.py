"""Entering a year's schedule: the form's text lines and the .xlsx import (日期 | 是否工作日 | 名称, an
importer on the one pipeline, core.imports).

Both are all-or-nothing: any bad line or row refuses the whole input with a Chinese report naming
each line or row, and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.formats import cn_date
from core.imports import Importer, Row, Run
from core.spreadsheet import Column, template_bytes, text, to_bool, to_date
from workdays import services
from workdays.models import CalendarDay
from workdays.services import DayEntry

_DATE = r"(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_LINE = re.compile(rf"^(?P<a>{_DATE})\s*(?:(?:至|到|~|～|—|－|–)\s*(?P<b>{_DATE}))?\s*[，,、:：]?\s*(?P<name>.*)$")
_PARTS = re.compile(r"(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
MAX_RANGE_DAYS = 15  # the longest official holiday (国庆 / 春节 with 调休) is 8–9 days


def _date(value: Any) -> dt.date:
    d = to_date(value)
    if d is None:
        raise ValueError(_("日期未填写"))
    return d


def _working(value: Any) -> bool:
    if isinstance(value, str) and value.strip() in WORK_WORDS:
        return WORK_WORDS[value.strip()]
    working = to_bool(value)
    if working is None:
        raise ValueError(_("“是否工作日”未填写"))
    return working


COLUMNS = [
    Column("日期", "date", required=True, help="如 2027-02-06", width=14, parse=_date),
    Column("是否工作日", "is_workday", required=True, help="放假填“否”或“放假”；调休上班填“是”或“上班”", width=12,
           parse=_working, synonyms=("是否上班", "上班/放假")),
    Column("名称", "name", help="如 春节、调休上班", width=16, parse=text, synonyms=("节日", "节假日名称")),
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
                errors.append(_("放假安排第 %(i)s 行：%(d)s 不在 %(y)s 年内") % {"i": i, "d": cn_date(d), "y": year})
                break
            if d in entries:
                errors.append(_("放假安排第 %(i)s 行：%(d)s 重复") % {"i": i, "d": cn_date(d)})
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
            errors.append(_("调休上班第 %(i)s 行：%(d)s 不在 %(y)s 年内") % {"i": i, "d": cn_date(d), "y": year})
        elif d.weekday() < 5:
            errors.append(_("调休上班第 %(i)s 行：%(d)s 是工作日，无需调休上班") % {"i": i, "d": cn_date(d)})
        elif d in entries:
            errors.append(_("调休上班第 %(i)s 行：%(d)s 已列为放假日") % {"i": i, "d": cn_date(d)})
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


class WorkdaysImporter(Importer):
    """A year's schedule (日期 | 是否工作日 | 名称) replacing the stored one."""

    key = "workdays"
    empty_message = gettext_lazy("表格中没有数据行。")

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def title(self, params: dict[str, Any]) -> str:
        return _("导入%(y)s年节假日安排") % {"y": params["year"]}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("workdays:year_import", args=[params["year"]])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("workdays:year", args=[params["year"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入 %(y)s 年节假日安排，共 %(n)s 天。") % {"y": params["year"], "n": counts.total}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        return "" if actor is not None else None  # the calendar is the system administrator's, one for all

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        if actor is not None and not actor.has_role(Role.SYSADMIN):
            raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))

    def prepare(self, run: Run) -> dict[dt.date, DayEntry]:
        return {}

    def clean(self, row: Row, run: Run) -> DayEntry | None:
        year, entries = run.params["year"], run.ctx
        d, working = row.values.get("date"), row.values.get("is_workday")
        if d is not None and d.year != year:
            row.error("日期", _("%(d)s 不在 %(y)s 年内") % {"d": cn_date(d), "y": year})
        elif d is not None and d in entries:
            row.error("日期", _("%(d)s 与前面的行重复") % {"d": cn_date(d)})
        if row.failed or d is None or working is None:
            return None
        if working and d.weekday() < 5:
            row.error("是否工作日", _("%(d)s 是周一至周五，本来就是工作日") % {"d": cn_date(d)})
            return None
        name = text(row.values.get("name")) or (_("调休上班") if working else _("放假"))
        entries[d] = DayEntry(d, working, name[:40])
        return entries[d]

    def write(self, items: list[DayEntry], run: Run) -> None:
        services.year_set_schedule(actor=run.actor, year=run.params["year"], days=sorted(items, key=lambda e: e.date),
                                   source=run.params.get("source") or _("Excel 导入"))
        run.outcome.created = len(items)


IMPORTER = WorkdaysImporter()


def template(year: int) -> bytes:
    sample = [[e.date.isoformat(), "否" if not e.is_workday else "是", e.name]
              for e in CalendarDay.objects.filter(date__year=year).order_by("date")]
    if not sample:
        sample = [[f"{year}-01-01", "否", "元旦"]]
    return template_bytes(f"{year}年节假日", COLUMNS,
                          note=_("每行一天：放假的日期填“否”，调休上班的周末填“是”。整表一次导入，任何一行有误则全部不导入。"),
                          rows=sample)
