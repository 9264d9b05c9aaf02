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


class InspectionFilter(FilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
                                                  label=_("部门"), empty_label=_("全部部门"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("状态"),
                                         empty_label=_("全部状态"))
    origin = django_filters.ChoiceFilter(choices=InspectionOrigin.choices, label=_("检查来源"),
                                         empty_label=_("全部检查来源"))

    class Meta:
        model = Inspection
        fields = ["department", "jurisdiction", "status", "origin"]

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs



class CaseFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("状态"), empty_label=_("全部状态"))

    class Meta:
        model = Case
        fields = ["status"]
