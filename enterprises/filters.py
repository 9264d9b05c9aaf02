from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseDomain
from orgs.models import Domain, Jurisdiction


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), method="filter_domain", label=_("行业领域"))
    above_scale = django_filters.BooleanFilter(label=_("规模以上"))

    class Meta:
        model = Enterprise
        fields = ["q", "jurisdiction", "domain", "above_scale"]

    def filter_q(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.search(value)

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_domain(self, qs: QuerySet, name: str, value: Domain | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(pk__in=EnterpriseDomain.objects.filter(domain=value).values("enterprise_id"))
