from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from escalation.choices import Action, ItemStatus
from escalation.models import EscalationRecord, SupervisionItem
from orgs.choices import UnitKind
from orgs.models import Unit


class ItemFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))
    assignee = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("承办单位"),
                                                empty_label=_("全部承办单位"))

    class Meta:
        model = SupervisionItem
        fields = ["q", "status", "overdue", "assignee"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(title__icontains=value) | Q(assignee__name__icontains=value)) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        today = timezone.localdate()
        late = Q(status=ItemStatus.OPEN, deadline__lt=today)
        return qs.filter(late) if value else qs.exclude(late)


BOARD_UNIT_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.PARK, UnitKind.OFFICE)


def unit_records_q(unit: Unit) -> Q:
    """The records of the items a unit answers for: per source, the items it names the unit on (its
    ``unit_items``), else the unit's territory (a township, a park) or its domains (a department)."""
    from escalation.registry import SOURCES

    domain_ids = list(unit.domains.values_list("pk", flat=True))
    if unit.kind in (UnitKind.TOWNSHIP, UnitKind.PARK, UnitKind.VILLAGE):
        fallback = Q(jurisdiction_path__startswith=unit.jurisdiction_path)
    elif domain_ids:
        fallback = Q(domain_id__in=domain_ids, jurisdiction_path__startswith=unit.jurisdiction_path)
    else:
        fallback = Q(pk__in=[])
    q = ~Q(source_key__in=[k for k, s in SOURCES.items() if s.unit_items is not None]) & fallback
    for key, source in SOURCES.items():
        if source.unit_items is not None:
            q |= Q(source_key=key, object_id__in=source.unit_items(unit.pk))
    return q


def source_choices() -> list[tuple[str, str]]:
    """The registered deadline sources, read when the form is built (the base FilterSet builds it to label it)."""
    from escalation.registry import SOURCES

    return [(k, str(s.label)) for k, s in SOURCES.items()]


class DecisionFilter(FilterSet):
    """The 督办台's pending decisions: by kind of item (its deadline source), proposed measure and unit."""

    source = django_filters.ChoiceFilter(field_name="source_key", label=_("事项类别"), empty_label=_("全部事项类别"),
                                         choices=())
    action = django_filters.ChoiceFilter(choices=Action.choices, label=_("拟采取措施"), empty_label=_("全部拟采取措施"))
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.filter(kind__in=BOARD_UNIT_KINDS, collective=False, active=True)
        .order_by("kind", "sort", "name"), method="filter_unit", label=_("责任单位"), empty_label=_("全部责任单位"))

    class Meta:
        model = EscalationRecord
        fields = ["source", "action", "unit"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        # The sources register in every app's ready(): their choices are set before the base class builds (and
        # labels) the form, so that a chosen source is a valid choice.
        type(self).base_filters["source"].extra["choices"] = source_choices()
        super().__init__(*args, **kwargs)

    def filter_unit(self, qs: QuerySet, name: str, value: Unit | None) -> QuerySet:
        return qs.filter(unit_records_q(value)) if value is not None else qs
