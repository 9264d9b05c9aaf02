"""Tasks (numbered plan tasks and 2020 task-table rows), who does them, and progress reports."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import (
    CLOSED_TASK_STATES,
    AssignmentSource,
    DeadlineKind,
    PartStatus,
    Recurrence,
    ReportAction,
    ReportedStatus,
    ReportState,
    TaskSource,
    TaskStatus,
    UnitRole,
)
from campaigns.models.campaign import Campaign, Phase, Plan
from core.scoping import Scope, ScopedQuerySet


class TaskQuerySet(ScopedQuerySet):
    def open(self) -> Self:
        return self.exclude(status__in=CLOSED_TASK_STATES)

    def overdue(self, today: dt.date) -> Self:
        return self.open().filter(deadline_kind=DeadlineKind.DATE, deadline__lt=today)

    def for_unit(self, unit_id: int) -> Self:
        return self.filter(Exists(TaskUnit.objects.filter(task=OuterRef("pk"), unit_id=unit_id)))


class Task(models.Model):
    """任务: a numbered task of a plan, or a row of its 整治任务清单 (task table).

    The deadline is kept both as written (``deadline_text``) and parsed (``deadline`` +
    ``deadline_kind`` + ``recurrence``); ``status`` changes only through accepted reports."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("方案"))
    source = models.CharField(max_length=8, choices=TaskSource.choices, default=TaskSource.PLAN,
                              verbose_name=_("来源"))
    number = models.CharField(max_length=40, blank=True, verbose_name=_("编号"))
    table_year = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("清单年度"))
    table_group = models.CharField(max_length=200, blank=True, verbose_name=_("分组（专题项目）"))
    section = models.CharField(max_length=200, blank=True, verbose_name=_("所属部分"))
    title = models.CharField(max_length=300, verbose_name=_("任务"))
    text = models.TextField(blank=True, verbose_name=_("任务内容"))
    measures = models.TextField(blank=True, verbose_name=_("整治措施"))
    responsibility_text = models.TextField(blank=True, verbose_name=_("责任单位（原文）"))
    deadline = models.DateField(null=True, blank=True, db_index=True, verbose_name=_("完成期限"))
    deadline_kind = models.CharField(max_length=12, choices=DeadlineKind.choices, default=DeadlineKind.NONE,
                                     verbose_name=_("期限类别"))
    deadline_text = models.CharField(max_length=300, blank=True, verbose_name=_("计划完成时间（原文）"))
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices, blank=True, verbose_name=_("周期"))
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks",
                              verbose_name=_("阶段"))
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True,
                              verbose_name=_("状态"))
    percent = models.PositiveSmallIntegerField(default=0, verbose_name=_("完成进度（%）"))
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("完成日期"))
    source_line = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("原文行号"))
    source_note = models.CharField(max_length=300, blank=True, verbose_name=_("数据说明"))
    sort = models.PositiveIntegerField(default=0)
    # The title, its pinyin and pinyin initials (core.pinyin), kept by the services: 我的任务 finds 消防通道划线
    # by "xftd" as enterprises are found.
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    # Scope keys copied from the campaign and plan by the create service (house style 10).
    domain = models.ForeignKey("orgs.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    units = models.ManyToManyField("orgs.Unit", through="TaskUnit", through_fields=("task", "unit"),
                                   related_name="campaign_tasks")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["plan__sort", "source", "sort", "pk"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        indexes = [models.Index(fields=["campaign", "status", "deadline"], name="campaigns_task_status_idx")]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"[:120]

    @property
    def label(self) -> str:
        if self.source == TaskSource.TABLE:
            return f"{self.plan.display_code}·{self.table_year or ''}清单{self.number or self.sort}"
        return f"{self.plan.display_code}·{self.number or self.sort}"

    def is_overdue(self, today: dt.date) -> bool:
        return (self.status not in CLOSED_TASK_STATES and self.deadline_kind == DeadlineKind.DATE
                and self.deadline is not None and self.deadline < today)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The office sees every task of campaigns in its territory; a regulator also the
        tasks of plans in the domains it regulates; a unit the tasks it is linked to."""
        q = scope.territorial_q("jurisdiction_path") | scope.domain_q("jurisdiction_path", domain_field="domain_id")
        if scope.unit_ids:
            q |= Q(Exists(TaskUnit.objects.filter(scope.unit_q("unit_id"), task=OuterRef("pk"))))
        return q


class TaskUnit(models.Model):
    """A unit's part in a task. ``as_written`` keeps the spelling of the document; a unit
    reached by expanding a collective name (各乡镇（街道） → each township) points back to it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="task_links")
    role = models.CharField(max_length=16, choices=UnitRole.choices, verbose_name=_("分工"))
    as_written = models.CharField(max_length=120, blank=True, verbose_name=_("原文写法"))
    source = models.CharField(max_length=10, choices=AssignmentSource.choices, default=AssignmentSource.TEXT)
    via = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("集合称谓"))
    # The unit's own part: moved only by the office accepting this unit's reports (``workflow.report_review``).
    status = models.CharField(max_length=12, choices=PartStatus.choices, default=PartStatus.OPEN,
                              verbose_name=_("本单位进展"))
    percent = models.PositiveSmallIntegerField(default=0, verbose_name=_("本单位完成进度（%）"))
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("本单位完成日期"))

    class Meta:
        ordering = ["task", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="campaigns_taskunit_unique")]
        indexes = [models.Index(fields=["unit", "task"], name="campaigns_taskunit_unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class ProgressReportQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(task__in=Task.objects.visible_to(user).values("pk"))


class ProgressReport(models.Model):
    """进展报送: one unit's report on one task for one reporting period."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="progress_reports",
                             verbose_name=_("报送单位"))
    period_start = models.DateField(verbose_name=_("报送周期"))
    period_label = models.CharField(max_length=40, verbose_name=_("报送周期"))
    reported_status = models.CharField(max_length=12, choices=ReportedStatus.choices, verbose_name=_("进展情况"))
    narrative = models.TextField(verbose_name=_("工作进展"))
    percent = models.PositiveSmallIntegerField(verbose_name=_("完成进度（%）"))
    state = models.CharField(max_length=12, choices=ReportState.choices, default=ReportState.SUBMITTED,
                             db_index=True, verbose_name=_("审核状态"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+", verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(verbose_name=_("报送时间"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("审核时间"))
    review_comment = models.TextField(blank=True, verbose_name=_("审核意见"))

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        constraints = [models.UniqueConstraint(fields=["task", "unit", "period_start"],
                                               name="campaigns_report_unique_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_label}"

    @property
    def claims_completion(self) -> bool:
        return self.reported_status == ReportedStatus.DONE


class ProgressEvent(models.Model):
    """报送 / 退回 / 采纳, with the comment, as the units read it."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=ReportAction.choices, verbose_name=_("操作"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    comment = models.TextField(blank=True, verbose_name=_("意见"))
    at = models.DateTimeField(verbose_name=_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return self.get_action_display()
