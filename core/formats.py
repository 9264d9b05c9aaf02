"""Values as a person reads them: dates as Chinese offices write them (2026年11月29日), in local time, and
numbers without exponents (40, not 4E+1) — for pages (the ``cn_date``, ``cn_datetime`` and ``plain_number``
template filters) and for every message, notification and document text a service writes: never an ISO date
in front of a person."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


def cn_date(value: Any, with_weekday: bool = False) -> str:
    """2026年11月29日 (and the weekday when asked): how Chinese offices write dates."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    text = f"{value.year}年{value.month}月{value.day}日"
    if with_weekday:
        text += f" {_(WEEKDAYS[value.weekday()])}"
    return text


def cn_datetime(value: Any) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M:%S}"


def plain_number(value: Any) -> Any:
    """A decimal written out (``4E+1`` → ``40``, ``8.50`` → ``8.5``); anything that is not a number as it is."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return value
    return format(number.normalize(), "f")
