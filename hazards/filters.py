"""One filter definition for the hazard lists, their Excel export and the API list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from enterprises.models import Enterprise
from hazards.choices import DONE_STATUSES, OPEN_STATUSES, OVERDUE_STATUSES, Grade, Source, Status
from hazards.models import Hazard
from orgs.models import Domain, Jurisdiction, Unit

STATE_CHOICES = [("valid", _("有效（不含作废）")), ("open", _("未销号")), ("done", _("已整改")), ("on_time", _("按期整改"))]
GRADE_CHOICES = [*Grade.choices, ("none", _("未定级"))]


# Enterprises a search may name by id in the hazards' condition; more are matched by a subquery.
ENTERPRISE_IDS = 2000


class HazardFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, method="filter_grade", label=_("等级"),
                                        empty_label=_("全部等级"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"), empty_label=_("全部状态"))
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label=_("整改情况"),
                                        empty_label=_("全部"))
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all(), label=_("行业领域"),
                                              empty_label=_("全部行业领域"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), method="filter_territory",
                                                    label=_("属地"), empty_label=_("全部属地"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"), empty_label=_("全部来源"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"))
    supervisor = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), field_name="supervisor_unit",
                                                  label=_("监管部门"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))

    class Meta:
        model = Hazard
        fields = ["q", "grade", "status", "state", "domain", "jurisdiction", "source", "overdue", "supervisor",
                  "enterprise"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name not in ("q", "overdue"):
                field.widget.attrs.setdefault("class", "form-select")
        self.form.fields["overdue"].widget.attrs.setdefault("class", "form-select")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        # One OR of indexable arms: the hazard's own columns (number by B-tree, description and place by trigram
        # indexes on PostgreSQL, see core/search_indexes.py) and the enterprises the words find (name, pinyin,
        # initials, credit code: Enterprise.objects.search), read first as a list of ids. PostgreSQL then picks per
        # search: a BitmapOr of those indexes for a rare word, a walk down the list's order index for a common one.
        # (An arm joined to the enterprises would read the whole table; a union of id sets built every match
        # first: 9 s for a word in 1 of 20 hazards over 10 million, against 1.2 s this way on bench data whose
        # newest rows lacked the word — an index walk stops sooner on real data — and 0.14 s for a company's name.)
        enterprises = Enterprise.objects.order_by().search(value).values_list("pk", flat=True)
        ids = list(enterprises[:ENTERPRISE_IDS + 1])
        condition = Q(number=value.upper()) | Q(description__icontains=value) | Q(place__icontains=value)
        if len(ids) > ENTERPRISE_IDS:  # a word common to thousands of names: the subquery, hashed
            condition |= Q(enterprise_id__in=enterprises)
        elif ids:
            condition |= Q(enterprise_id__in=ids)
        return qs.filter(condition)

    def filter_grade(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "none":
            return qs.filter(grade__isnull=True)
        return qs.filter(grade=value) if value else qs

    def filter_state(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "valid":
            return qs.exclude(status=Status.VOIDED)
        if value == "open":
            return qs.filter(status__in=OPEN_STATUSES)
        if value == "done":
            return qs.filter(status__in=DONE_STATUSES)
        if value == "on_time":
            return qs.on_time()
        return qs

    def filter_territory(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        overdue = Q(status__in=OVERDUE_STATUSES, deadline__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)
