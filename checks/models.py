"""隐患排查: the checklist library, premises without a registration, plans, due checks, runs and their results.

Storage model (for 10,000 enterprises × 20 points × daily checks, ≈73 M item checks a year):

* ``CheckRun`` — one narrow row per run, every run. Its counts (items, failures, not applicable) are kept on the
  row, so figures never read item rows.
* ``ItemResult`` — only the items that are *not* a plain pass: failures, not applicable, and any item that
  carries a measured value or a note. A pass is implied by the run and the checklist version it was run
  against (a used version never changes: ``services.checklist_new_version``).
* ``DueCheck`` — one row per scheduled occurrence (generated nightly, a few days ahead), pointing at the run
  that fulfilled it. Completion, lateness and misses are read from it; missed ones escalate through the
  deadline engine (``checks/deadline_sources.py``).

Scope keys: plans, due checks and runs concern an enterprise *or* a premises (a shop that is not a registered
enterprise); they carry the copied ``jurisdiction``/``jurisdiction_path`` and a ``domain`` and sit on
``EnterpriseScoped`` with the enterprise rule, plus the territory and domain of the premises for rows without
an enterprise (``target_scope_q``)."""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from checks.choices import (
    CheckerLevel,
    Disposal,
    Evidence,
    Frequency,
    ItemType,
    ListKind,
    Outcome,
    PremisesKind,
    RunStatus,
)
from core.registry import register_path_model
from core.scoping import Scope, ScopedQuerySet
from enterprises.models import EnterpriseRowQuerySet, EnterpriseScoped
from enterprises.models.base import enterprise_row_scope_q
from orgs.models import Domain, Jurisdiction, Unit
from risk.choices import Grade as RiskGrade


class FrequencyRule(models.Model):
    """How often a risk point is checked, by its grade. The defaults (红 每班, 橙 每日, 黄 每周, 蓝 每月) are a
    common practice choice of provincial 双重预防 guidance, not a national rule; the office changes them."""

    grade = models.CharField(max_length=8, choices=RiskGrade.choices, unique=True, verbose_name=_("风险等级"))
    frequency = models.CharField(max_length=10, choices=Frequency.choices, verbose_name=_("排查频次"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["grade"]
        verbose_name = _("排查频次规则")
        verbose_name_plural = _("排查频次规则")

    def __str__(self) -> str:
        return f"{self.get_grade_display()}：{self.get_frequency_display()}"


class Premises(models.Model):
    """A place checked by a township, park or grid member that need not be a registered enterprise (下店上宅 shop,
    九小场所): a name and an address in a jurisdiction are enough."""

    name = models.CharField(max_length=200, verbose_name=_("场所名称"))
    kind = models.CharField(max_length=16, choices=PremisesKind.choices, default=PremisesKind.SHOP_HOME,
                            verbose_name=_("场所类型"))
    address = models.CharField(max_length=255, verbose_name=_("地址"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("所在属地"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", verbose_name=_("行业领域"))
    operator = models.CharField(max_length=60, blank=True, verbose_name=_("经营者"))
    phone = models.CharField(max_length=30, blank=True, verbose_name=_("联系电话"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("备注"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction_path", "name", "pk"]
        verbose_name = _("检查场所")
        verbose_name_plural = _("检查场所")

    def __str__(self) -> str:
        return f"{self.name}（{self.address}）" if self.address else self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.territorial_q("jurisdiction_path") | scope.domain_q("jurisdiction_path", domain_field="domain_id")


register_path_model(Premises)


class ChecklistQuerySet(EnterpriseRowQuerySet):
    def library(self) -> ChecklistQuerySet:
        return self.filter(enterprise__isnull=True)


class Checklist(EnterpriseScoped):
    """One version of a checklist: a national standard, a seed list, a department's own list, an enterprise's
    copy, or the control measures of a risk point at one level. Library lists (no enterprise) are read by every
    business account; an enterprise's lists follow the enterprise rule."""

    key = models.SlugField(max_length=80, verbose_name=_("标识"))
    version = models.CharField(max_length=40, verbose_name=_("版本"))
    kind = models.CharField(max_length=12, choices=ListKind.choices, verbose_name=_("类别"))
    title = models.CharField(max_length=200, verbose_name=_("名称"))
    issuer = models.CharField(max_length=120, blank=True, verbose_name=_("发布单位"))
    document_number = models.CharField(max_length=120, blank=True, verbose_name=_("文号/标准号"))
    effective = models.DateField(null=True, blank=True, verbose_name=_("施行日期"))
    domains = models.ManyToManyField(Domain, blank=True, related_name="+", verbose_name=_("行业领域"))
    text_status = models.CharField(max_length=10, blank=True, verbose_name=_("文本完整性"))
    notes = models.TextField(blank=True, verbose_name=_("说明"))
    owner_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发布单位"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("企业"))
    risk_point = models.ForeignKey("risk.RiskPoint", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("风险点"))
    checker_level = models.CharField(max_length=12, choices=CheckerLevel.choices, blank=True,
                                     verbose_name=_("检查层级"))
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("复制自"))
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("上一版本"))
    current = models.BooleanField(default=True, verbose_name=_("现行版本"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "key", "-pk"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], condition=models.Q(enterprise__isnull=True),
                                    name="checks_library_key_version"),
            models.UniqueConstraint(fields=["enterprise", "key", "version"], name="checks_list_key_version"),
        ]
        indexes = [models.Index(fields=["enterprise", "current"], name="checks_list_ent")]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）" if self.version else self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(enterprise__isnull=True) | enterprise_row_scope_q(scope)

    def copy_scope_keys(self) -> Self:
        self.jurisdiction_path = self.enterprise.jurisdiction_path if self.enterprise_id else ""
        return self

    @property
    def citation(self) -> str:
        """How a clause of this list is cited: 《标题》（文号）."""
        number = f"（{self.document_number}）" if self.document_number else ""
        return f"《{self.title}》{number}"


class CheckItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(verbose_name=_("序号"))
    clause = models.CharField(max_length=60, blank=True, verbose_name=_("条款"))
    section = models.CharField(max_length=60, blank=True, verbose_name=_("章节"))
    text = models.TextField(verbose_name=_("检查内容"))
    item_type = models.CharField(max_length=8, choices=ItemType.choices, default=ItemType.YES_NO,
                                 verbose_name=_("检查方式"))
    quantity = models.CharField(max_length=120, blank=True, verbose_name=_("测量项"))
    unit = models.CharField(max_length=20, blank=True, verbose_name=_("单位"))
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, verbose_name=_("下限"))
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, verbose_name=_("上限"))
    reference = models.CharField(max_length=120, blank=True, verbose_name=_("现场限值"),
                                 help_text=_("按现场核定的限值（如核定人数），检查时对照填写结论"))
    photo_required = models.BooleanField(default=False, verbose_name=_("须拍照"))
    major_hazard_criterion = models.BooleanField(default=False, verbose_name=_("重大事故隐患判定项"))
    evidence = models.CharField(max_length=2, choices=Evidence.choices, blank=True, verbose_name=_("文本来源"))
    clause_verified = models.BooleanField(default=True, verbose_name=_("条款号已核对"))
    verified_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("核对时间"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("核对人"))
    on_spot_allowed = models.BooleanField(default=True, verbose_name=_("允许立查立改"))
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("行业领域"))
    keywords = models.JSONField(default=list, blank=True, verbose_name=_("关键词"))
    note = models.TextField(blank=True, verbose_name=_("备注"))
    measure = models.ForeignKey("risk.ControlMeasure", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("管控措施"))

    class Meta:
        ordering = ["checklist_id", "position"]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        constraints = [models.UniqueConstraint(fields=["checklist", "position"], name="checks_item_position")]

    def __str__(self) -> str:
        return f"{self.clause or self.position} {self.text[:30]}"

    @property
    def to_verify(self) -> bool:
        """待核: a summary (M) or an inferred clause number, not yet confirmed by the office."""
        return (self.evidence == Evidence.SUMMARY or not self.clause_verified) and self.verified_at is None

    @property
    def proposes_major(self) -> bool:
        """A failure proposes 重大事故隐患 only for a criterion whose text and clause are confirmed."""
        return self.major_hazard_criterion and not self.to_verify

    @property
    def may_fix_on_spot(self) -> bool:
        # A major-hazard criterion is never a hazard fixable on the spot (16号令第三条: 重大 = hard to fix).
        return self.on_spot_allowed and not self.major_hazard_criterion

    def fails_value(self, value: Any) -> bool:
        """A measured value fails below the minimum or above the maximum; the bounds pass."""
        if value is None:
            return False
        return bool((self.min_value is not None and value < self.min_value)
                    or (self.max_value is not None and value > self.max_value))

    @property
    def limit_label(self) -> str:
        parts = []
        if self.min_value is not None:
            parts.append(f"≥{self.min_value.normalize():f}")
        if self.max_value is not None:
            parts.append(f"≤{self.max_value.normalize():f}")
        if self.reference:
            parts.append(self.reference)
        return " ".join(parts) + (f" {self.unit}" if parts and self.unit else "")


class TargetScoped(EnterpriseScoped):
    """Abstract: a row about an enterprise or a premises, keyed by the copied jurisdiction and a domain."""

    # Indexes: each concrete model has a composite index that starts with the enterprise, and scope reads the
    # copied path, so the single-column foreign-key indexes would only cost space (≈70 M due checks a year).
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", db_index=False, verbose_name=_("企业"))
    premises = models.ForeignKey(Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("场所"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+", db_index=False,
                                     verbose_name=_("属地"))
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("行业领域"))

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # An enterprise's rows by the enterprise rule; a premises' rows by territory and the row's domain.
        return (enterprise_row_scope_q(scope)
                | (models.Q(enterprise__isnull=True)
                   & scope.domain_q("jurisdiction_path", domain_field="domain_id")))

    def copy_scope_keys(self) -> Self:
        parent = self.enterprise if self.enterprise_id else self.premises
        self.jurisdiction_id = parent.jurisdiction_id
        self.jurisdiction_path = parent.jurisdiction_path
        return self

    @property
    def target_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        return str(self.premises) if self.premises_id else ""


class CheckPlan(TargetScoped):
    """排查计划: a checklist checked at a frequency for one enterprise (or premises), optionally at one risk point,
    by the people of one level. Plans generated from a risk point's measures carry ``risk_point``."""

    title = models.CharField(max_length=200, verbose_name=_("计划名称"))
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="plans", verbose_name=_("检查表"))
    risk_point = models.ForeignKey("risk.RiskPoint", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("风险点"))
    frequency = models.CharField(max_length=10, choices=Frequency.choices, verbose_name=_("排查频次"))
    checker_level = models.CharField(max_length=12, choices=CheckerLevel.choices, verbose_name=_("检查层级"))
    responsible = models.CharField(max_length=60, blank=True, verbose_name=_("责任人"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("检查单位"), help_text=_("政府检查计划：执行检查的单位"))
    starts_on = models.DateField(verbose_name=_("开始日期"))
    ends_on = models.DateField(null=True, blank=True, verbose_name=_("结束日期"))
    due_on = models.DateField(null=True, blank=True, verbose_name=_("完成期限"),
                              help_text=_("节假日前、复工复产前、专项检查：须在此日期前完成"))
    active = models.BooleanField(default=True, verbose_name=_("启用"))
    campaign = models.CharField(max_length=200, blank=True, verbose_name=_("专项行动"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "premises_id", "pk"]
        verbose_name = _("排查计划")
        verbose_name_plural = _("排查计划")
        indexes = [models.Index(fields=["active", "frequency"], name="checks_plan_active"),
                   models.Index(fields=["enterprise", "active"], name="checks_plan_ent")]

    def __str__(self) -> str:
        return self.title


class DueCheck(TargetScoped):
    """One scheduled occurrence of a plan: its period, the date it is due, and the run that fulfilled it."""

    # The unique (plan, period_start, shift) index serves lookups by plan.
    plan = models.ForeignKey(CheckPlan, on_delete=models.CASCADE, related_name="due_checks", db_index=False)
    risk_point = models.ForeignKey("risk.RiskPoint", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", db_index=False)
    period_start = models.DateField(verbose_name=_("周期开始"))
    due_on = models.DateField(verbose_name=_("应完成日期"))
    shift = models.PositiveSmallIntegerField(default=0, verbose_name=_("班次"))
    run = models.OneToOneField("CheckRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="due",
                               verbose_name=_("检查记录"))
    done_on = models.DateField(null=True, blank=True, verbose_name=_("完成日期"))

    class Meta:
        ordering = ["due_on", "shift", "pk"]
        verbose_name = _("应检任务")
        verbose_name_plural = _("应检任务")
        constraints = [models.UniqueConstraint(fields=["plan", "period_start", "shift"], name="checks_due_once")]
        indexes = [models.Index(fields=["jurisdiction_path", "due_on"], name="checks_due_path"),
                   models.Index(fields=["enterprise", "due_on"], name="checks_due_ent"),
                   models.Index(fields=["due_on", "run"], name="checks_due_open")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start}#{self.shift}"

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


class CheckRun(TargetScoped):
    """One check: who checked what, when and where; the counts of its results. Append-only once submitted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, verbose_name=_("记录标识"))
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT, editable=False,
                              verbose_name=_("状态"))
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="runs", verbose_name=_("检查表"))
    plan = models.ForeignKey(CheckPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs",
                             verbose_name=_("排查计划"))
    risk_point = models.ForeignKey("risk.RiskPoint", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("风险点"))
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("检查人"))
    checker_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("检查单位"))
    by_government = models.BooleanField(default=False, verbose_name=_("政府检查"))
    place = models.CharField(max_length=200, blank=True, verbose_name=_("检查部位"))
    performed_at = models.DateTimeField(verbose_name=_("检查时间"))
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("提交时间"))
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("经度"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("纬度"))
    note = models.TextField(blank=True, verbose_name=_("说明"))
    items_total = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("检查项数"))
    items_failed = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("不合格项"))
    items_na = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("不适用项"))
    hazards_created = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("登记隐患"))
    fixed_on_spot = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("立查立改"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        indexes = [models.Index(fields=["jurisdiction_path", "performed_at"], name="checks_run_path"),
                   models.Index(fields=["enterprise", "performed_at"], name="checks_run_ent"),
                   models.Index(fields=["-performed_at", "-id"], name="checks_run_desc")]

    def __str__(self) -> str:
        return f"{self.target_name} {self.checklist.title}"

    @property
    def is_submitted(self) -> bool:
        return self.status == RunStatus.SUBMITTED


class ItemResult(models.Model):
    """An item that is not a plain pass (failure, not applicable, a measured value or a remark). Passes without
    a value are implied by the run and its checklist version and are not stored."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=6, choices=Outcome.choices, verbose_name=_("结论"))
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, verbose_name=_("测量值"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("情况说明"))
    disposal = models.CharField(max_length=8, choices=Disposal.choices, blank=True, verbose_name=_("处理方式"))
    fix_action = models.CharField(max_length=500, blank=True, verbose_name=_("立查立改措施"))
    hazard = models.OneToOneField("hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="check_result", verbose_name=_("隐患"))
    proposed_major = models.BooleanField(default=False, verbose_name=_("建议判定为重大事故隐患"))

    class Meta:
        ordering = ["run_id", "item__position"]
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="checks_result_once"),
            # A failure names exactly one disposal (a hazard, or 立查立改); nothing else has one. The hazard or the
            # 立查立改 record itself is written when the run is submitted.
            models.CheckConstraint(
                condition=(models.Q(outcome=Outcome.FAIL, disposal=Disposal.HAZARD)
                           | models.Q(outcome=Outcome.FAIL, disposal=Disposal.ON_SPOT, hazard__isnull=True)
                           | (~models.Q(outcome=Outcome.FAIL) & models.Q(disposal="", hazard__isnull=True))),
                name="checks_result_disposed"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_id} {self.outcome}"


class OnSpotFix(models.Model):
    """立查立改: a failed item corrected while the checker was there, with photos (on the run): a record, not a
    hazard."""

    result = models.OneToOneField(ItemResult, on_delete=models.CASCADE, related_name="fix")
    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="fixes")
    action = models.CharField(max_length=500, verbose_name=_("整改措施"))
    fixed_at = models.DateTimeField(verbose_name=_("整改时间"))

    class Meta:
        ordering = ["run_id", "pk"]
        verbose_name = _("立查立改记录")
        verbose_name_plural = _("立查立改记录")

    def __str__(self) -> str:
        return f"{self.run_id} {self.action[:30]}"


class CheckDay(TargetScoped):
    """The daily rollup the figures read instead of due checks and runs: per target (enterprise or premises),
    domain and day, the due checks *due* that day (how many, done, done by the due date) and the submitted runs
    *performed* that day (local date) with their failures, hazards and 立查立改 records. Kept in the transaction of
    every write that changes a count (``checks.rollup``); ``rebuild_check_days`` recounts it from the rows."""

    day = models.DateField(verbose_name=_("日期"))
    due = models.PositiveIntegerField(default=0, verbose_name=_("应检"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("已完成"))
    on_time = models.PositiveIntegerField(default=0, verbose_name=_("按时完成"))
    runs = models.PositiveIntegerField(default=0, verbose_name=_("检查次数"))
    runs_finding = models.PositiveIntegerField(default=0, verbose_name=_("发现问题的检查"))
    failures = models.PositiveIntegerField(default=0, verbose_name=_("不合格项"))
    hazards = models.PositiveIntegerField(default=0, verbose_name=_("登记隐患"))
    fixes = models.PositiveIntegerField(default=0, verbose_name=_("立查立改"))

    class Meta:
        ordering = ["day", "pk"]
        verbose_name = _("排查日汇总")
        verbose_name_plural = _("排查日汇总")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "domain", "day"], condition=models.Q(enterprise__isnull=False),
                                    name="checks_day_ent"),
            models.UniqueConstraint(fields=["premises", "domain", "day"], condition=models.Q(enterprise__isnull=True),
                                    name="checks_day_prem"),
        ]
        indexes = [models.Index(fields=["jurisdiction_path", "day"], name="checks_day_path"),
                   models.Index(fields=["day"], name="checks_day_day")]

    def __str__(self) -> str:
        return f"{self.enterprise_id or self.premises_id} {self.day}"
