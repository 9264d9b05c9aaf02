"""One filter definition per list of the checks app: pages, exports and the API read the same."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checks.choices import Frequency, ListKind, RunStatus
from checks.models import Checklist, CheckPlan, CheckRun, DueCheck, Premises
from core.filters import FilterSet
from orgs.models import Domain, Jurisdiction

DUE_STATES = [("open", _("待完成")), ("missed", _("已逾期未完成")), ("done", _("已完成")), ("on_time", _("按时完成")),
              ("late", _("逾期完成"))]


class _Common(FilterSet):
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), label=_("行业领域"),
                                              empty_label=_("全部行业领域"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_territory",
                                                    label=_("属地"), empty_label=_("全部属地"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    premises = django_filters.NumberFilter(field_name="premises_id", label=_("场所"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")

    def filter_territory(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs


class RunFilter(_Common):
    start = django_filters.DateFilter(field_name="performed_at", lookup_expr="date__gte", label=_("检查日期自"))
    end = django_filters.DateFilter(field_name="performed_at", lookup_expr="date__lte", label=_("至"))
    found = django_filters.BooleanFilter(method="filter_found", label=_("发现问题"))
    government = django_filters.BooleanFilter(field_name="by_government", label=_("政府检查"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("排查计划"))

    class Meta:
        model = CheckRun
        fields = ["domain", "jurisdiction", "enterprise", "premises", "start", "end", "found", "government", "status",
                  "plan"]

    def filter_found(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(items_failed__gt=0) if value else qs.filter(items_failed=0)


class DueFilter(_Common):
    state = django_filters.ChoiceFilter(choices=DUE_STATES, method="filter_state", label=_("完成情况"),
                                        empty_label=_("全部"))
    start = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("应完成日期自"))
    end = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("至"))
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("排查计划"))

    class Meta:
        model = DueCheck
        fields = ["state", "domain", "jurisdiction", "enterprise", "premises", "start", "end", "plan"]

    def filter_state(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        if value == "open":
            return qs.filter(run__isnull=True, due_on__gte=today)
        if value == "missed":
            return qs.filter(run__isnull=True, due_on__lt=today)
        if value == "done":
            return qs.filter(run__isnull=False)
        if value == "on_time":
            return qs.filter(run__isnull=False, done_on__lte=F("due_on"))
        if value == "late":
            return qs.filter(run__isnull=False, done_on__gt=F("due_on"))
        return qs


class PlanFilter(_Common):
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label=_("频次"), empty_label=_("全部频次"))
    active = django_filters.BooleanFilter(label=_("启用"))
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    class Meta:
        model = CheckPlan
        fields = ["q", "frequency", "active", "domain", "jurisdiction", "enterprise", "premises"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(enterprise__name__icontains=value)
                         | Q(premises__name__icontains=value))


class ChecklistFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=ListKind.choices, label=_("类别"), empty_label=_("全部类别"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), field_name="domains",
                                              label=_("行业领域"), empty_label=_("全部行业领域"))
    current = django_filters.BooleanFilter(label=_("现行版本"))

    class Meta:
        model = Checklist
        fields = ["q", "kind", "domain", "current"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(document_number__icontains=value))


class PremisesFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_territory",
                                                    label=_("属地"), empty_label=_("全部属地"))

    class Meta:
        model = Premises
        fields = ["q", "jurisdiction", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else qs

    def filter_territory(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs
