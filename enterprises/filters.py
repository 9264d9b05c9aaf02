from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enterprises.choices import RISK_FLAG_FIELDS, RISK_FLAGS
from enterprises.industry import divisions
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit


class EnterpriseFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), method="filter_domain", label=_("行业领域"))
    above_scale = django_filters.BooleanFilter(label=_("规模以上"))
    department = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
                                                  method="filter_department", label=_("监管部门"))
    industry = django_filters.CharFilter(method="filter_industry", label=_("国民经济行业代码"))
    flag = django_filters.MultipleChoiceFilter(choices=RISK_FLAGS, method="filter_flags", label=_("风险标识"))

    class Meta:
        model = Enterprise
        fields = ["q", "jurisdiction", "domain", "department", "industry", "flag", "above_scale"]

    def filter_department(self, qs: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return qs.filter(departments=value) if value else qs

    def filter_industry(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip().upper()
        if not value:
            return qs
        if value.isalpha():  # a 门类: every 大类 it holds
            codes = [c for c, (_n, sec) in divisions().items() if sec == value]
            q = Q(industry_code=value)
            for c in codes:
                q |= Q(industry_code__startswith=c)
            return qs.filter(q)
        return qs.filter(industry_code__startswith=value)

    def filter_flags(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        # Every chosen flag must hold (重大危险源 且 涉氨制冷).
        return qs.filter(**{f: True for f in value if f in RISK_FLAG_FIELDS})

    def filter_q(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.search(value)

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_domain(self, qs: QuerySet, name: str, value: Domain | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(pk__in=EnterpriseDomain.objects.filter(domain=value).values("enterprise_id"))
