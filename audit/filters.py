from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.audit import Source
from core.filters import FilterSet
from core.models import ChangeEvent


class ChangeEventFilter(FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("操作人"))
    action = django_filters.CharFilter(field_name="action", label=_("操作"))
    object_type = django_filters.CharFilter(field_name="object_type", label=_("对象类型"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("对象编号"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"))
    success = django_filters.BooleanFilter(label=_("是否成功"))
    since = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = ChangeEvent
        fields = ["actor", "action", "object_type", "object_id", "source", "success", "since", "until"]
