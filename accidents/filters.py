from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accidents.choices import AccidentType, Grade, Status
from accidents.models import Accident
from accidents.selectors import month_bounds, year_bounds
from core.filters import FilterSet
from orgs.models import Domain, Jurisdiction

YEARS = [(str(y), str(y)) for y in range(2100, 1989, -1)]
MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]


class AccidentFilter(FilterSet):
    """One filter for the list page, the API list and the Excel export; every figure links to it."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    year = django_filters.ChoiceFilter(choices=YEARS, method="filter_year", label=_("年份"), empty_label=_("全部年份"))
    month = django_filters.ChoiceFilter(choices=MONTHS, method="filter_month", label=_("月份"),
                                        empty_label=_("全部月份"))
    until = django_filters.ChoiceFilter(choices=MONTHS, method="filter_until", label=_("截至月份"),
                                        empty_label=_("截至月份：全年"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("事故等级"), empty_label=_("全部事故等级"))
    accident_type = django_filters.ChoiceFilter(choices=AccidentType.choices, label=_("事故类别"),
                                                empty_label=_("全部事故类别"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"), empty_label=_("全部状态"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), label=_("行业领域"),
                                              empty_label=_("全部行业领域"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    deaths = django_filters.BooleanFilter(method="filter_deaths", label=_("有死亡"))

    class Meta:
        model = Accident
        fields: list[str] = []

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()[:100]
        if not value:
            return qs
        return qs.filter(Q(number__icontains=value) | Q(address__icontains=value) | Q(summary__icontains=value))

    def _year(self) -> int | None:
        value = self.form.cleaned_data.get("year")
        return int(value) if value else None

    def filter_year(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value or self.form.cleaned_data.get("month") or self.form.cleaned_data.get("until"):
            return qs  # the month filters bound the year themselves
        start, end = year_bounds(int(value))
        return qs.filter(occurred_at__gte=start, occurred_at__lt=end)

    def filter_month(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        year = self._year()
        if not value:
            return qs
        if year is None:
            return qs.filter(occurred_at__month=int(value))
        start, end = month_bounds(year, int(value))
        return qs.filter(occurred_at__gte=start, occurred_at__lt=end)

    def filter_until(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        year = self._year()
        if not value or year is None or self.form.cleaned_data.get("month"):
            return qs
        start, end = year_bounds(year, int(value))
        return qs.filter(occurred_at__gte=start, occurred_at__lt=end)

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_deaths(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(deaths__gt=0) if value else qs.filter(deaths=0)
