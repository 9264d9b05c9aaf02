"""The working-day calendar: readable by every signed-in user, maintained by the system administrator."""

from __future__ import annotations

import calendar as pycal
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.export import download, file_response
from core.imports.views import upload_page
from core.models import ChangeEvent
from core.permissions import roles_required
from workdays import importer, services
from workdays.forms import ImportForm, NewYearForm, ScheduleForm
from workdays.models import CalendarDay, CalendarYear

WEEK_HEAD = ["一", "二", "三", "四", "五", "六", "日"]


def _year_or_404(year: int) -> int:
    if not 1990 <= year <= 2100:
        raise Http404
    return year


@login_required
def years(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = services.years_overview()
    known = {r["year"] for r in rows}
    # Years the library knows but the loader has not stored yet still count (arithmetic uses them).
    for y in (today.year, today.year + 1):
        if y not in known:
            rows.append({"year": y, "row": None, "official": services.year_has_official_data(y),
                         "holidays": 0, "workdays": 0})
    rows.sort(key=lambda r: -r["year"])
    return render(request, "workdays/years.html", {
        "rows": rows, "today": today, "is_admin": request.user.has_role(Role.SYSADMIN),
        "new_form": NewYearForm(initial={"year": today.year + 1}),
        "next_year_note": services.calendar_note(dt.date(today.year + 1, 1, 1)),
    })


@login_required
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    data = services.year_data(year)
    stored = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
    months = []
    cal = pycal.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in cal.monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                working = services.is_workday(day)
                special = day in data.exceptions or day in stored
                cells.append({"date": day, "working": working, "special": special,
                              "name": data.names.get(day, "")})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    row = CalendarYear.objects.filter(year=year).first()
    days = sorted(stored.values(), key=lambda d: d.date) if row else [
        {"date": d, "is_workday": w, "name": data.names.get(d, "")} for d, w in sorted(data.exceptions.items())]
    return render(request, "workdays/year_detail.html", {
        "year": year, "row": row, "official": data.official, "source": data.source, "months": months,
        "days": days, "week_head": WEEK_HEAD, "note": services.calendar_note(dt.date(year, 1, 1)),
        "is_admin": request.user.has_role(Role.SYSADMIN), "today": timezone.localdate(),
        "history": ChangeEvent.objects.for_object(row)[:50] if row else [],
        "workday_count": services.workdays_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31)),
    })


@roles_required(Role.SYSADMIN)
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    row = CalendarYear.objects.filter(year=year).first()
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                days = importer.parse_schedule_text(year, form.cleaned_data["holidays"], form.cleaned_data["workdays"])
                services.year_set_schedule(actor=request.user, year=year, days=days,
                                           source=form.cleaned_data["source"] or _("系统管理员录入"))
                messages.success(request, _("已保存 %(y)s 年节假日安排（放假 %(h)s 天，调休上班 %(w)s 天）。") % {
                    "y": year, "h": sum(1 for d in days if not d.is_workday),
                    "w": sum(1 for d in days if d.is_workday)})
                return redirect("workdays:year", year=year)
            except ValidationError as exc:
                for msg in exc.messages:
                    form.add_error(None, msg)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
    else:
        holidays, workdays = importer.schedule_as_text(year)
        form = ScheduleForm(initial={"holidays": holidays, "workdays": workdays,
                                     "source": row.source if row else ""})
    return render(request, "workdays/year_form.html", {"form": form, "year": year, "row": row,
                                                       "import_form": ImportForm()})


@roles_required(Role.SYSADMIN)
def year_import(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    return upload_page(request, kind=importer.IMPORTER.key, form=ImportForm(request.POST or None, request.FILES or None),
                       template="workdays/year_import.html", context={"year": year},
                       params=lambda data: {"year": year, "source": data["source"]})


@download("xlsx", year=lambda: sorted({d.year for d in CalendarDay.objects.dates("date", "year")}))
@login_required
def year_template(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    return file_response(importer.template(year), f"{year}年节假日安排.xlsx")


@roles_required(Role.SYSADMIN)
@require_POST
def year_new(request: HttpRequest) -> HttpResponse:
    form = NewYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写 1990 到 2100 之间的年份。"))
        return redirect("workdays:years")
    return redirect("workdays:year_edit", year=form.cleaned_data["year"])


@roles_required(Role.SYSADMIN)
@require_POST
def year_fallback(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    services.year_mark_fallback(actor=request.user, year=year, source=_("系统管理员标记为暂无安排"))
    messages.success(request, _("%(y)s 年已标记为暂无国务院安排，按周末计算。") % {"y": year})
    return redirect("workdays:year", year=year)


