"""The Chinese working-day calendar (中国工作日历).

Only the days that differ from the plain rule "Monday to Friday work, weekends rest" need a row:
holidays falling on weekdays and adjusted working weekends (调休上班). A row may also restate a
weekend holiday so that the calendar can show its name. ``CalendarYear`` says whether a year's
schedule is the State Council's (official) or not yet known (fallback: weekends only).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workdays.choices import DaySource, YearStatus


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(unique=True, verbose_name=_("年份"))
    status = models.CharField(max_length=16, choices=YearStatus.choices, default=YearStatus.FALLBACK,
                              verbose_name=_("状态"))
    source = models.CharField(max_length=120, blank=True, verbose_name=_("来源"),
                              help_text=_("如 chinese_calendar 1.11.0、国办发明电〔2026〕X号"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year}年（{self.get_status_display()}）"


class CalendarDay(models.Model):
    date = models.DateField(unique=True, verbose_name=_("日期"))
    is_workday = models.BooleanField(verbose_name=_("工作日"))
    name = models.CharField(max_length=40, blank=True, verbose_name=_("名称"),
                            help_text=_("如 春节、国庆节、调休上班"))
    source = models.CharField(max_length=16, choices=DaySource.choices, default=DaySource.OFFICIAL,
                              verbose_name=_("来源"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name or ''}（{kind}）"
