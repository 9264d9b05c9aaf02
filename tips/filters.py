from __future__ import annotations

import re

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from tips.choices import TipKind, TipStatus
from tips.models import Tip
from tips.selectors import month_bounds

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month_filter(field: str):  # noqa: ANN202
    def apply(self: FilterSet, qs: QuerySet, name: str, value: str) -> QuerySet:
        import datetime as dt

        match = MONTH.match(value or "")
        if not match or not (2000 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12):
            return qs
        start, end = month_bounds(dt.date(int(match[1]), int(match[2]), 1))
        return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    return apply


class TipFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=TipStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    kind = django_filters.ChoiceFilter(choices=TipKind.choices, label=_("举报类别"), empty_label=_("全部举报类别"))
    received = django_filters.CharFilter(method="filter_received", label=_("收到月份"))
    verified = django_filters.CharFilter(method="filter_verified", label=_("核查月份"))
    paid = django_filters.CharFilter(method="filter_paid", label=_("奖励发放月份"))

    filter_received = _month_filter("received_at")
    filter_verified = _month_filter("verified_at")
    filter_paid = _month_filter("paid_at")

    class Meta:
        model = Tip
        fields = ["status", "kind", "received", "verified", "paid"]
