from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enforcement.choices import CaseStatus, DrawStatus, InspectionOrigin, InspectionStatus
from enforcement.models import Case, Draw, Inspection
from orgs.choices import UnitKind
from orgs.models import Jurisdiction, Unit


def month_range(value: str) -> tuple[dt.date, dt.date] | None:
    """"2026-11" → (1 November, 1 December); anything else None (the filter is then ignored)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 9998):
        return None
    start = dt.date(year, month, 1)
    return start, (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1))


class DrawFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=DrawStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    month = django_filters.CharFilter(method="filter_month", label=_("抽取月份"))

    class Meta:
        model = Draw
        fields = ["status", "month"]

    def filter_month(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        span = month_range(value)
        return qs.filter(drawn_at__date__gte=span[0], drawn_at__date__lt=span[1]) if span else qs


# Years a figure links to (the cockpit's "this year"); a choice, so that no hostile number reaches a date lookup.
YEARS = [(str(y), str(y)) for y in range(2015, 2041)]


class InspectionFilter(FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
                                                  label=_("部门"), empty_label=_("全部部门"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("状态"),
                                         empty_label=_("全部状态"))
    origin = django_filters.ChoiceFilter(choices=InspectionOrigin.choices, label=_("检查来源"),
                                         empty_label=_("全部检查来源"))
    started = django_filters.ChoiceFilter(choices=YEARS, method="filter_started", label=_("检查年度"),
                                          empty_label=_("全部检查年度"))
    unannounced = django_filters.BooleanFilter(label=_("四不两直"))
    month = django_filters.CharFilter(method="filter_month", label=_("计划月份"))

    class Meta:
        model = Inspection
        fields = ["department", "jurisdiction", "status", "origin", "started", "unannounced", "month"]

    def filter_month(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        span = month_range(value)
        return qs.filter(planned_date__gte=span[0], planned_date__lt=span[1]) if span else qs

    def filter_started(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Inspections begun in the year (every inspection on site or done has begun; a planned one has not)."""
        return qs.filter(started_at__year=int(value)) if value else qs

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs



class CaseFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    decided = django_filters.ChoiceFilter(choices=YEARS, method="filter_decided", label=_("处罚决定年度"),
                                          empty_label=_("全部处罚决定年度"))

    class Meta:
        model = Case
        fields = ["status", "decided"]

    def filter_decided(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Penalty decisions made in the year and not withdrawn (as ``figures`` counts them)."""
        return qs.filter(decided_on__year=int(value), withdrawn_at__isnull=True) if value else qs
