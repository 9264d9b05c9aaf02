from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.models import Domain, Jurisdiction
from risk.choices import GRADE_RANK, Grade, PointKind
from risk.models import RiskPoint, RiskReport


class _TerritoryDomainMixin:
    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs


class RiskOverviewFilter(_TerritoryDomainMixin, FilterSet):
    """Enterprises with their overall risk grade (queryset annotated with ``risk_rank``)."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), method="filter_domain",
                                              label=_("行业领域"), empty_label=_("全部行业领域"))
    grade = django_filters.ChoiceFilter(choices=[*Grade.choices, ("none", _("尚未评估"))], method="filter_grade",
                                        label=_("风险等级"), empty_label=_("全部风险等级"))

    class Meta:
        model = Enterprise
        fields = ["q", "jurisdiction", "domain", "grade"]

    def filter_q(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.search(value) if hasattr(qs, "search") else qs.filter(name__contains=value)

    def filter_domain(self, qs: QuerySet, name: str, value: Domain | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(pk__in=EnterpriseDomain.objects.filter(domain=value).values("enterprise_id"))

    def filter_grade(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "none":
            return qs.filter(risk_rank__isnull=True)
        return qs.filter(risk_rank=GRADE_RANK[value]) if value in GRADE_RANK else qs


class RiskPointFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=PointKind.choices, label=_("类型"), empty_label=_("全部类型"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("风险等级"), empty_label=_("全部风险等级"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))

    class Meta:
        model = RiskPoint
        fields = ["q", "kind", "grade", "enterprise"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(name__contains=value) | Q(location__contains=value)) if value else qs


class RiskReportFilter(_TerritoryDomainMixin, FilterSet):
    status = django_filters.ChoiceFilter(choices=RiskReport._meta.get_field("status").choices, label=_("状态"),
                                         empty_label=_("全部状态"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))

    class Meta:
        model = RiskReport
        fields = ["status", "jurisdiction"]
