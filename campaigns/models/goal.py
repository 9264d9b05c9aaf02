"""目标 / 指标: a goal of a plan; with a measurable target it is an indicator that units report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.choices import Comparison, IndicatorStatus
from campaigns.models.campaign import Plan
from core.scoping import ScopedQuerySet


class GoalQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(plan__in=Plan.objects.visible_to(user).values("pk"))


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(verbose_name=_("目标（原文）"))
    metric = models.CharField(max_length=200, blank=True, verbose_name=_("指标"))
    target_text = models.CharField(max_length=120, blank=True, verbose_name=_("目标值（原文）"))
    comparison = models.CharField(max_length=2, choices=Comparison.choices, blank=True, verbose_name=_("比较"))
    target_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True,
                                       verbose_name=_("目标值"))
    measure_unit = models.CharField(max_length=20, blank=True, verbose_name=_("计量单位"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("完成期限"))
    deadline_text = models.CharField(max_length=120, blank=True, verbose_name=_("期限（原文）"))
    source = models.CharField(max_length=20, blank=True, verbose_name=_("出处"))
    source_line = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("原文行号"))
    ref = models.CharField(max_length=40, blank=True, verbose_name=_("对应任务/清单编号"))
    sort = models.PositiveIntegerField(default=0)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["plan__sort", "sort", "pk"]
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def measurable(self) -> bool:
        return self.target_value is not None and bool(self.comparison)

    @property
    def target_display(self) -> str:
        if not self.measurable:
            return self.target_text
        value = f"{self.target_value.normalize():f}"
        return f"{self.get_comparison_display()} {value}{self.measure_unit}"

    def meets(self, value: Decimal) -> bool:
        assert self.target_value is not None
        if self.comparison == Comparison.GE:
            return value >= self.target_value
        if self.comparison == Comparison.LE:
            return value <= self.target_value
        return value == self.target_value

    def status(self, latest: Decimal | None, today: dt.date) -> str | None:
        """达标 when the latest reported value meets the target; before the deadline a value
        that does not is 有风险, after it 未达标. None for goals without a measurable target."""
        if not self.measurable:
            return None
        if latest is None:
            return IndicatorStatus.MISSED if self.deadline and self.deadline < today else IndicatorStatus.NO_DATA
        if self.meets(latest):
            return IndicatorStatus.ON_TRACK
        if self.deadline is not None and self.deadline < today:
            return IndicatorStatus.MISSED
        return IndicatorStatus.AT_RISK


class GoalReading(models.Model):
    """An actual value a unit reports for an indicator."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="readings")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位"))
    value = models.DecimalField(max_digits=14, decimal_places=4, verbose_name=_("实际值"))
    as_of = models.DateField(verbose_name=_("统计截至"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("说明"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.value}"
