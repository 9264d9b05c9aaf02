from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from escalation.choices import ItemStatus
from escalation.models import SupervisionItem


class ItemFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))

    class Meta:
        model = SupervisionItem
        fields = ["q", "status", "overdue"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(title__icontains=value) | Q(assignee__name__icontains=value)) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        today = timezone.localdate()
        late = Q(status=ItemStatus.OPEN, deadline__lt=today)
        return qs.filter(late) if value else qs.exclude(late)
