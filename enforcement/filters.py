from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enforcement.choices import DrawStatus, InspectionOrigin, InspectionStatus
from enforcement.models import Draw, Inspection


class DrawFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=DrawStatus.choices, label=_("状态"), empty_label=_("全部状态"))

    class Meta:
        model = Draw
        fields = ["status"]


class InspectionFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("状态"),
                                         empty_label=_("全部状态"))
    origin = django_filters.ChoiceFilter(choices=InspectionOrigin.choices, label=_("检查来源"),
                                         empty_label=_("全部来源"))

    class Meta:
        model = Inspection
        fields = ["status", "origin"]

