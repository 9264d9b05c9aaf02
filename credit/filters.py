from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from credit.choices import BlacklistStatus, CreditClass, EventKind, RepairStatus
from credit.models import BlacklistEntry, CreditEvent, RepairApplication
from credit.selectors import live_blacklist_q, live_events_q, stored_class_q
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.models import Domain, Jurisdiction


def _search(qs: QuerySet, value: str, *fields: str) -> QuerySet:
    value = (value or "").strip()[:100]
    if not value:
        return qs
    q = Q()
    for f in fields:
        q |= Q(**{f"{f}__icontains": value})
    return qs.filter(q)


class CreditEnterpriseFilter(FilterSet):
    """The enterprises by credit class (the list page and the API ``credit/classes``); the queryset is annotated
    by ``credit.selectors.annotate_credit``."""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    klass = django_filters.ChoiceFilter(choices=CreditClass.choices, method="filter_klass", label=_("信用等级"),
                                        empty_label=_("全部信用等级"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_jurisdiction",
                                                    label=_("属地"), empty_label=_("全部属地"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), method="filter_domain",
                                              label=_("行业领域"), empty_label=_("全部行业领域"))
    listed = django_filters.BooleanFilter(field_name="credit_listed", label=_("在严重失信主体名单中"))

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return _search(qs, value, "name", "credit_code")

    def filter_klass(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        # The stored class (credit.standing), the one the card and the cockpit count.
        return qs.filter(stored_class_q(value)) if value else qs

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_domain(self, qs: QuerySet, name: str, value: Domain | None) -> QuerySet:
        return qs.filter(pk__in=EnterpriseDomain.objects.filter(domain=value).values("enterprise_id")) if value else qs


class CreditEventFilter(FilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("类别"), empty_label=_("全部类别"))
    live = django_filters.BooleanFilter(method="filter_live", label=_("仍计分"))

    class Meta:
        model = CreditEvent
        fields: list[str] = []

    def filter_live(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        q = live_events_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class BlacklistFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    status = django_filters.ChoiceFilter(choices=BlacklistStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    live = django_filters.BooleanFilter(method="filter_live", label=_("当前在名单中"))

    class Meta:
        model = BlacklistEntry
        fields: list[str] = []

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return _search(qs, value, "enterprise__name", "enterprise__credit_code", "grounds")

    def filter_live(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        q = live_blacklist_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class RepairFilter(FilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    status = django_filters.ChoiceFilter(choices=RepairStatus.choices, label=_("状态"), empty_label=_("全部状态"))

    class Meta:
        model = RepairApplication
        fields: list[str] = []
