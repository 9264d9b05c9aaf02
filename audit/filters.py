from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.audit import Source
from core.audit_actions import action_q
from core.filters import FilterSet
from core.models import ChangeEvent


class ChangeEventFilter(FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("操作人"))
    # The current name also finds the events stored under an old name of the same action (core.audit_actions).
    action = django_filters.CharFilter(method="filter_action", label=_("操作"))
    object_type = django_filters.CharFilter(field_name="object_type", label=_("对象类型"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("对象编号"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"))
    success = django_filters.BooleanFilter(label=_("是否成功"))
    since = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label=_("截止日期"))

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(action_q(value)) if value else queryset

    class Meta:
        model = ChangeEvent
        fields = ["actor", "action", "object_type", "object_id", "source", "success", "since", "until"]
