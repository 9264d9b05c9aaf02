"""A campaign (专项整治行动), its phases and its plans (总方案 / 专题 / 行业领域实施方案)."""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import (
    CLOSED_STAGES,
    MASTER_CODE,
    CampaignStage,
    PhaseKind,
    PlanKind,
    ReportInterval,
    UnitRole,
)
from core.scoping import Scope, ScopedQuerySet


class CampaignQuerySet(ScopedQuerySet):
    pass


class Campaign(models.Model):
    """专项整治行动: run by the campaign office of a territory; any number of them."""

    name = models.CharField(max_length=200, verbose_name=_("行动名称"))
    short_name = models.CharField(max_length=60, blank=True, verbose_name=_("简称"))
    document_number = models.CharField(max_length=80, blank=True, verbose_name=_("文号"))
    document_title = models.CharField(max_length=300, blank=True, verbose_name=_("发文标题"))
    issuer = models.CharField(max_length=120, blank=True, verbose_name=_("发文单位"))
    issued_on = models.DateField(null=True, blank=True, verbose_name=_("印发日期"))
    issued_text = models.CharField(max_length=60, blank=True, verbose_name=_("印发日期（原文）"))
    addressees = models.TextField(blank=True, verbose_name=_("主送"))
    starts_on = models.DateField(verbose_name=_("开始日期"))
    ends_on = models.DateField(verbose_name=_("结束日期"))
    report_interval = models.CharField(max_length=16, choices=ReportInterval.choices, default=ReportInterval.MONTHLY,
                                       verbose_name=_("进展报送周期"))
    report_day = models.PositiveSmallIntegerField(default=25, verbose_name=_("报送截止日"),
                                                  help_text=_("每个报送周期最后一个月的几日前报送（1–28）"))
    office_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="campaigns_run",
                                    verbose_name=_("牵头办公室"))
    jurisdiction = models.ForeignKey("orgs.Jurisdiction", on_delete=models.PROTECT, related_name="campaigns",
                                     verbose_name=_("行政区域"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    extra = models.JSONField(default=dict, blank=True, verbose_name=_("其他原文内容"))
    source_key = models.CharField(max_length=80, blank=True, db_index=True, editable=False,
                                  help_text="stable key of a loaded seed document")
    stage = models.CharField(max_length=10, choices=CampaignStage.choices, default=CampaignStage.PREPARE,
                             db_index=True, editable=False, verbose_name=_("阶段状态"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("专项整治行动")
        verbose_name_plural = _("专项整治行动")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_closed(self) -> bool:
        """总结 or 归档: its tasks are no longer reminded or escalated."""
        return self.stage in CLOSED_STAGES

    @property
    def is_archived(self) -> bool:
        """归档: read-only history."""
        return self.stage == CampaignStage.ARCHIVED

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        from campaigns.models.task import Task

        visible_tasks = Task.objects.filter(Task.scope_q(scope), campaign_id=OuterRef("pk"))
        return scope.territorial_q("jurisdiction_path") | Q(Exists(visible_tasks))


class Phase(models.Model):
    """阶段 of a campaign (动员部署 / 排查整治 / 集中攻坚 / 巩固提升)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=40, verbose_name=_("阶段"))
    kind = models.CharField(max_length=16, choices=PhaseKind.choices, default=PhaseKind.OTHER, verbose_name=_("类别"))
    starts_on = models.DateField(verbose_name=_("开始日期"))
    ends_on = models.DateField(verbose_name=_("结束日期"))
    heading = models.CharField(max_length=200, blank=True, verbose_name=_("标题（原文）"))
    text = models.TextField(blank=True, verbose_name=_("工作要求"))
    source_line = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("原文行号"))
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "sort", "starts_on"]
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="campaigns_phase_unique_name")]

    def __str__(self) -> str:
        return self.name


class PlanType(models.Model):
    """One of a campaign's plan types, with the domain (or action) it covers: the seed's 总方案 + 12 行业领域 +
    2 专题, a 2024 campaign's 八大行动. A plan picks its type from its own campaign's list."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_types")
    code = models.CharField(max_length=16, verbose_name=_("代码"))
    name = models.CharField(max_length=60, verbose_name=_("名称"))
    kind = models.CharField(max_length=16, choices=PlanKind.choices, default=PlanKind.DOMAIN,
                            verbose_name=_("类别"))
    domain = models.ForeignKey("orgs.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("对应行业领域"),
                               help_text=_("该领域的监管部门可以看到此类方案的任务；行动不对应行业领域时留空"))
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "sort", "code"]
        verbose_name = _("方案类别")
        verbose_name_plural = _("方案类别")
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="campaigns_plantype_unique_code")]

    def __str__(self) -> str:
        return str(self.name) if self.code == MASTER_CODE else f"{self.code} {self.name}"


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(campaign__in=Campaign.objects.visible_to(user).values("pk"))


class Plan(models.Model):
    """总方案 / 专题方案 / 行业领域实施方案, with its own units and goals."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=16, choices=PlanKind.choices, verbose_name=_("类别"))
    code = models.CharField(max_length=16, verbose_name=_("代码"))
    annex = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("附件序号"))
    title = models.CharField(max_length=200, verbose_name=_("方案标题"))
    short_name = models.CharField(max_length=60, verbose_name=_("简称"))
    domain = models.ForeignKey("orgs.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="plans",
                               verbose_name=_("行业领域"))
    plan_type = models.ForeignKey(PlanType, null=True, blank=True, on_delete=models.PROTECT, related_name="plans",
                                  verbose_name=_("方案类别"))
    preamble = models.TextField(blank=True, verbose_name=_("引言"))
    objective_text = models.TextField(blank=True, verbose_name=_("工作目标"))
    responsibility_text = models.TextField(blank=True, verbose_name=_("分工（原文）"))
    units_note = models.TextField(blank=True, verbose_name=_("分工说明"))
    period_text = models.CharField(max_length=200, blank=True, verbose_name=_("时间安排（原文）"))
    table_caption = models.CharField(max_length=200, blank=True, verbose_name=_("任务清单标题"))
    table_columns = models.JSONField(default=list, blank=True, verbose_name=_("任务清单表头（原文）"))
    extra = models.JSONField(default=dict, blank=True, verbose_name=_("其他原文内容"),
                             help_text=_("方案的阶段安排、保障措施、检查清单等原文"))
    source_first_line = models.PositiveIntegerField(null=True, blank=True)
    source_last_line = models.PositiveIntegerField(null=True, blank=True)
    units = models.ManyToManyField("orgs.Unit", through="PlanUnit", related_name="campaign_plans")
    sort = models.PositiveSmallIntegerField(default=0)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "sort", "code"]
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="campaigns_plan_unique_code")]

    def __str__(self) -> str:
        return f"{self.display_code} {self.short_name}" if self.code != MASTER_CODE else str(self.short_name)

    @property
    def display_code(self) -> str:
        """The code as people read it: the seed's internal code "master" of the 总方案 reads 总方案."""
        return str(PlanKind.MASTER.label) if self.code == MASTER_CODE else self.code


class PlanUnit(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="plan_links")
    role = models.CharField(max_length=16, choices=UnitRole.choices, verbose_name=_("分工"))
    as_written = models.CharField(max_length=120, blank=True, verbose_name=_("原文写法"))

    class Meta:
        ordering = ["plan", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit", "role"], name="campaigns_planunit_unique")]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.unit} ({self.get_role_display()})"
