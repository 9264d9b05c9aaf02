"""One FilterSet per ledger, generated from its spec: drives the page, the API list and the export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from ledgers.specs import SPECS, LedgerSpec
from orgs.models import Jurisdiction

DUE_CHOICES = [("overdue", _("已过期")), ("soon", _("30天内到期")), ("valid", _("有效期内"))]


class LedgerFilterBase(FilterSet):
    spec: LedgerSpec
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业"))
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(),
                                                    method="filter_jurisdiction", label=_("属地"))

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        q = Q(enterprise__name__contains=value)
        for f in self.spec.search_fields:
            q |= Q(**{f"{f}__contains": value})
        return qs.filter(q)

    def filter_jurisdiction(self, qs: QuerySet, name: str, value: Jurisdiction | None) -> QuerySet:
        return qs.filter(jurisdiction_path__startswith=value.path) if value else qs

    def filter_due(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        f = self.spec.due_field
        is_dt = isinstance(self.spec.model._meta.get_field(f), models.DateTimeField)
        today: Any = timezone.now() if is_dt else timezone.localdate()
        soon = today + dt.timedelta(days=30)
        if value == "overdue":
            return qs.filter(**{f"{f}__lt": today})
        if value == "soon":
            return qs.filter(**{f"{f}__gte": today, f"{f}__lte": soon})
        if value == "valid":
            return qs.filter(**{f"{f}__gte": today})
        return qs


def _make(spec: LedgerSpec) -> type[LedgerFilterBase]:
    attrs: dict[str, Any] = {"spec": spec, "__module__": __name__}
    names = ["q", "enterprise", "jurisdiction"]
    for name in spec.list_fields:
        f = spec.model._meta.get_field(name)
        if getattr(f, "choices", None):
            attrs[name] = django_filters.ChoiceFilter(choices=f.choices, label=f.verbose_name)
            names.append(name)
        elif isinstance(f, models.BooleanField):
            attrs[name] = django_filters.BooleanFilter(label=f.verbose_name)
            names.append(name)
    if spec.due_field:
        attrs["due"] = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label=_("有效期"))
        names.append("due")
    attrs["Meta"] = type("Meta", (), {"model": spec.model, "fields": names})
    return type(f"{spec.model.__name__}Filter", (LedgerFilterBase,), attrs)


FILTERS: dict[str, type[LedgerFilterBase]] = {key: _make(spec) for key, spec in SPECS.items()}
