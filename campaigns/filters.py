"""One FilterSet per list: it drives the page, the API list and the Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.choices import (
    CampaignStage,
    DeadlineKind,
    ListItemStatus,
    ListKind,
    PartStatus,
    ReportState,
    TaskSource,
    TaskStatus,
    UnitRole,
)
from campaigns.models import Campaign, Goal, ListItem, Plan, ProgressReport, Task, TaskUnit
from core.filters import FilterSet, parse_id
from orgs.models import Unit


def _bootstrap(form: Any) -> None:
    for name, field in form.fields.items():
        css = "form-select" if hasattr(field, "choices") else "form-control"
        field.widget.attrs.setdefault("class", css)
        field.widget.attrs.setdefault("aria-label", str(field.label or name))
        if hasattr(field, "empty_label") and field.empty_label is not None:
            field.empty_label = f"全部{field.label}"


class TaskFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), label=_("方案"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), method="filter_unit", label=_("责任单位"))
    role = django_filters.ChoiceFilter(choices=UnitRole.choices, method="filter_noop", label=_("分工"))
    part = django_filters.ChoiceFilter(choices=[*PartStatus.choices, ("overdue", _("逾期")), ("on_time", _("按期完成")),
                                                ("due", _("应完成"))],
                                       method="filter_noop", label=_("该单位的部分"))
    phase = django_filters.CharFilter(method="filter_phase", label=_("阶段"))
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=_("状态"))
    source = django_filters.ChoiceFilter(choices=TaskSource.choices, label=_("来源"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))
    on_time = django_filters.BooleanFilter(method="filter_on_time", label=_("按期完成"))
    due = django_filters.BooleanFilter(method="filter_due", label=_("应完成"))

    class Meta:
        model = Task
        fields = ["q", "plan", "unit", "role", "part", "phase", "status", "source", "overdue", "on_time", "due"]

    def __init__(self, *args: Any, campaign: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self.form)
        if campaign is not None:
            self.filters["plan"].queryset = campaign.plans.all()
            self.filters["unit"].queryset = Unit.objects.filter(
                pk__in=TaskUnit.objects.filter(task__campaign=campaign).values("unit_id"))

    def filter_noop(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(text__icontains=value) | Q(measures__icontains=value)
                         | Q(number=value) | Q(responsibility_text__icontains=value))

    def filter_unit(self, qs: QuerySet, name: str, value: Unit | None) -> QuerySet:
        if not value:
            return qs
        links = TaskUnit.objects.filter(task=OuterRef("pk"), unit=value)
        role = self.data.get("role") if self.data else None
        if role in UnitRole.values:
            links = links.filter(role=role)
        part = self.data.get("part") if self.data else None
        today = timezone.localdate()
        if part in PartStatus.values:
            links = links.filter(status=part)
        elif part == "overdue":
            links = links.exclude(status=PartStatus.DONE).filter(
                task__deadline_kind=DeadlineKind.DATE, task__deadline__lt=today).exclude(
                task__status__in=[TaskStatus.DONE, TaskStatus.WITHDRAWN])
        elif part == "on_time":
            links = links.filter(Q(status=PartStatus.DONE) & (Q(task__deadline__isnull=True)
                                                               | Q(completed_on__lte=F("task__deadline"))))
        elif part == "due":
            links = links.filter(Q(status=PartStatus.DONE) | (Q(task__deadline_kind=DeadlineKind.DATE)
                                                               & Q(task__deadline__lt=today)
                                                               & ~Q(task__status=TaskStatus.WITHDRAWN)))
        return qs.filter(Exists(links))

    def filter_phase(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "none":
            return qs.filter(phase__isnull=True)
        phase_id = parse_id(value)
        return qs.filter(phase_id=phase_id) if phase_id is not None else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        cond = (~Q(status=TaskStatus.DONE) & Q(deadline_kind=DeadlineKind.DATE)
                & Q(deadline__lt=timezone.localdate()))
        return qs.filter(cond) if value else qs.exclude(cond)

    def filter_on_time(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        cond = Q(status=TaskStatus.DONE) & (Q(deadline__isnull=True) | Q(completed_on__lte=F("deadline")))
        return qs.filter(cond) if value else qs.exclude(cond)

    def filter_due(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        cond = Q(status=TaskStatus.DONE) | (Q(deadline_kind=DeadlineKind.DATE) & Q(deadline__lt=timezone.localdate()))
        return qs.filter(cond) if value else qs.exclude(cond)


class ProgressReportFilter(FilterSet):
    state = django_filters.ChoiceFilter(choices=ReportState.choices, label=_("审核状态"))
    task = django_filters.NumberFilter(field_name="task_id", label=_("任务"))
    campaign = django_filters.NumberFilter(field_name="task__campaign_id", label=_("行动"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("报送单位"))

    class Meta:
        model = ProgressReport
        fields = ["state", "task", "campaign", "unit"]


class CampaignFilter(FilterSet):
    stage = django_filters.ChoiceFilter(choices=CampaignStage.choices, label=_("阶段状态"))

    class Meta:
        model = Campaign
        fields = ["stage"]


class GoalFilter(FilterSet):
    campaign = django_filters.NumberFilter(field_name="plan__campaign_id", label=_("行动"))
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("方案"))

    class Meta:
        model = Goal
        fields = ["campaign", "plan"]


class ListItemFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=ListKind.choices, label=_("清单"))
    status = django_filters.ChoiceFilter(choices=ListItemStatus.choices, label=_("状态"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(collective=False), label=_("单位"))
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))

    class Meta:
        model = ListItem
        fields = ["kind", "status", "unit", "q"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self.form)

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        return qs.filter(Q(item__icontains=value) | Q(measure__icontains=value)) if value else qs


