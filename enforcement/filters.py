from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enforcement.choices import CaseStatus, DrawStatus, InspectionOrigin, InspectionStatus
from enforcement.models import Case, Draw, Inspection
from orgs.choices import UnitKind
from orgs.models import Jurisdiction, Unit


class DrawFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=DrawStatus.choices, label=_("状态"), empty_label=_("全部状态"))

    class Meta:
        model = Draw
        fields = ["status"]


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
                                         empty_label=_("全部来源"))
    started = django_filters.ChoiceFilter(choices=YEARS, method="filter_started", label=_("检查年度"),
                                          empty_label=_("全部年度"))
    unannounced = django_filters.BooleanFilter(label=_("四不两直"))

    class Meta:
        model = Inspection
        fields = ["department", "jurisdiction", "status", "origin", "started", "unannounced"]

    def filter_started(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Inspections begun in the year (every inspection on site or done has begun; a planned one has not)."""
        return qs.filter(started_at__year=int(value)) if value else qs

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs



class CaseFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    decided = django_filters.ChoiceFilter(choices=YEARS, method="filter_decided", label=_("处罚决定年度"),
                                          empty_label=_("全部年度"))

    class Meta:
        model = Case
        fields = ["status", "decided"]

    def filter_decided(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Penalty decisions made in the year and not withdrawn (as ``figures`` counts them)."""
        return qs.filter(decided_on__year=int(value), withdrawn_at__isnull=True) if value else qs
