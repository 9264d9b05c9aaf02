"""Deadlines as plans write them: the dated stages of a task, the due dates of a recurring duty and a
deadline counted in working days from an event (``Milestone``), and a campaign's own reporting schedule
(``ReportingDuty``: the summaries and reports the plan asks for at stated times).

Each open milestone is its own deadline on the escalation engine (``campaigns.deadline_sources``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.choices import DutyCycle, MilestoneKind
from campaigns.models.campaign import Campaign, Plan
from campaigns.models.task import Task
from core.scoping import ScopedQuerySet


class MilestoneQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(task__in=Task.objects.visible_to(user).values("pk"))

    def open(self) -> Self:
        return self.filter(met_on__isnull=True)


class Milestone(models.Model):
    """One due date of a task: a dated stage ("2025年底前基本完成"), one occurrence of a recurring duty
    ("每年10月31日前" → 2021-10-31) or a deadline in working days after an event (due once the event's
    date is recorded). ``key`` makes regeneration idempotent: ``s1``, ``s2`` … for stages, the ISO date
    for occurrences, ``r`` for the relative deadline."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=12, choices=MilestoneKind.choices, verbose_name=_("类别"))
    key = models.CharField(max_length=20, editable=False)
    text = models.CharField(max_length=300, blank=True, verbose_name=_("节点（原文）"))
    due = models.DateField(null=True, blank=True, db_index=True, verbose_name=_("到期日"))
    event_text = models.CharField(max_length=120, blank=True, verbose_name=_("起算事件"))
    event_on = models.DateField(null=True, blank=True, verbose_name=_("事件日期"))
    workdays = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("工作日数"))
    met_on = models.DateField(null=True, blank=True, verbose_name=_("完成日期"))
    met_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("确认人"))
    # Scope keys copied from the task (house style 10), read by the escalation engine's records.
    domain = models.ForeignKey("orgs.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["task", "due", "key"]
        verbose_name = _("期限节点")
        verbose_name_plural = _("期限节点")
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="campaigns_milestone_unique_key")]
        indexes = [models.Index(fields=["met_on", "due"], name="campaigns_milestone_open_due")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.text or self.due}"[:120]

    def is_overdue(self, today: dt.date) -> bool:
        return self.met_on is None and self.due is not None and self.due < today


class ReportingDutyQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(campaign__in=Campaign.objects.visible_to(user).values("pk"))


class ReportingDuty(models.Model):
    """A summary or report the plan asks for at a stated time ("分年度总结…报送市安委办",
    "2022年12月…总结评估"), as written, with who reports to whom and when it falls due."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reporting_duties")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="reporting_duties",
                             verbose_name=_("方案"))
    key = models.CharField(max_length=40, verbose_name=_("代码"))
    title = models.CharField(max_length=120, verbose_name=_("报送事项"))
    text = models.TextField(verbose_name=_("原文"))
    reporters_text = models.CharField(max_length=200, blank=True, verbose_name=_("报送单位（原文）"))
    recipient_text = models.CharField(max_length=200, blank=True, verbose_name=_("报送对象（原文）"))
    cycle = models.CharField(max_length=12, choices=DutyCycle.choices, verbose_name=_("周期"))
    month = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("周期内月份"))
    day = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("截止日"))
    due = models.DateField(null=True, blank=True, verbose_name=_("截止日期（一次性）"))
    when_text = models.CharField(max_length=200, blank=True, verbose_name=_("时间（原文）"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("说明"))
    source_line = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("原文行号"))
    sort = models.PositiveSmallIntegerField(default=0)

    objects = ReportingDutyQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "sort", "pk"]
        verbose_name = _("报送要求")
        verbose_name_plural = _("报送要求")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="campaigns_duty_unique_key")]

    def __str__(self) -> str:
        return self.title

    def due_dates(self) -> list[dt.date]:
        """Every due date within the campaign's span."""
        from campaigns.deadline_phrases import Cycle, occurrences

        if self.cycle == DutyCycle.ONCE:
            return [self.due] if self.due else []
        return occurrences(Cycle(self.cycle, self.month, self.day), self.campaign.starts_on, self.campaign.ends_on)

    def next_due(self, today: dt.date) -> dt.date | None:
        return next((d for d in self.due_dates() if d >= today), None)
