"""执法检查: 一单两库 (抽查事项清单 ``InspectionMatter``, 检查对象名录库 — the enterprise registry plus the premises of
the ``checks`` app (``checks.Premises``, the one model of a place that is not a registered enterprise) —, 执法检查人员名录库),
annual supervision plans (第六十二条), verifiable draws, on-site inspections with findings, numbered 执法文书.

Scope: a department's own rows (lists, plans, draws) carry the department and a copy of its jurisdiction path:
the office sees them by territory, the department and its inspectors by unit (``Scope.unit_ids``). An inspection
is also a row of its enterprise: the enterprise's territory and domains see it, the enterprise its own, and a
drawn inspector through the grant of the enterprise (accounts.grants)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from checks.choices import Outcome
from core.registry import register_path_model
from core.scoping import Scope, ScopedQuerySet
from enforcement.choices import (
    AttemptOutcome,
    CaseStatus,
    DrawStatus,
    FindingResult,
    InspectionOrigin,
    InspectionStatus,
    ItemCategory,
    PlanMode,
)
from enterprises.models import Enterprise
from enterprises.models.base import EnterpriseRow, enterprise_row_scope_q
from orgs.models import Domain, Jurisdiction, Unit


class DepartmentRow(models.Model):
    """Abstract: a row a department keeps (its lists, plans, draws)."""

    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.territorial_q("jurisdiction_path") | scope.unit_q("department_id")

    def copy_scope_keys(self) -> DepartmentRow:
        self.jurisdiction_path = self.department.jurisdiction_path
        return self


class DepartmentSettings(models.Model):
    """A department's enforcement settings: the abbreviation in its document numbers, its class rule."""

    department = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("部门"))
    abbreviation = models.CharField(max_length=20, verbose_name=_("文号简称"), help_text=_("如“湘乡应急”"))
    recuse_same_township = models.BooleanField(default=False, verbose_name=_("本乡镇人员回避"))
    # Inspections per year per class (A4/B2/C1/D1 by default, risk.choices.CLASS_FREQUENCY) and the cap.
    class_frequency = models.JSONField(default=dict, blank=True, verbose_name=_("分类检查频次"))
    yearly_cap = models.PositiveSmallIntegerField(default=4, verbose_name=_("每家每年检查上限"))

    def __str__(self) -> str:
        return self.abbreviation


class InspectionMatter(DepartmentRow):
    """抽查事项清单的一项 (国办发〔2015〕58号 (一): 依据, 主体, 内容, 方式; 类别 一般/重点; public)."""

    name = models.CharField(max_length=200, verbose_name=_("抽查事项"))
    basis = models.TextField(verbose_name=_("检查依据"))
    subject = models.CharField(max_length=200, verbose_name=_("检查对象"))
    content = models.TextField(blank=True, verbose_name=_("检查内容"))
    method = models.CharField(max_length=100, default="现场检查、查阅资料", verbose_name=_("检查方式"))
    category = models.CharField(max_length=10, choices=ItemCategory.choices, default=ItemCategory.GENERAL,
                                verbose_name=_("抽查类别"))
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("行业领域"))
    public = models.BooleanField(default=True, verbose_name=_("向社会公开"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department_id", "pk"]
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")

    def __str__(self) -> str:
        return self.name


class Inspector(DepartmentRow):
    """执法检查人员名录库: one inspector with a 执法证 (行政处罚法第四十二条: 具有行政执法资格)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="inspector_profile", verbose_name=_("账号"))
    name = models.CharField(max_length=60, verbose_name=_("姓名"))
    cert_number = models.CharField(max_length=40, unique=True, verbose_name=_("执法证号"))
    cert_valid_until = models.DateField(verbose_name=_("执法证有效期至"))
    specialties = models.ManyToManyField(Domain, blank=True, related_name="+", verbose_name=_("专业领域"))
    home = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("户籍/居住乡镇"))
    active = models.BooleanField(default=True, verbose_name=_("在岗"))

    class Meta:
        ordering = ["department_id", "name", "pk"]
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")

    def __str__(self) -> str:
        return self.name


class Conflict(models.Model):
    """A declared conflict of interest (行政处罚法第四十三条 回避): an enterprise, a place, a relative's employer."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("回避企业"))
    place = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("回避地区"))
    note = models.CharField(max_length=200, verbose_name=_("回避事由"))
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.note


class AnnualPlan(DepartmentRow):
    """安全生产年度监督检查计划 (安全生产法第六十二条第二款)."""

    year = models.PositiveSmallIntegerField(verbose_name=_("年度"))
    title = models.CharField(max_length=200, verbose_name=_("计划名称"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "department_id"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="enf_plan_dept_year")]
        verbose_name = _("年度监督检查计划")
        verbose_name_plural = _("年度监督检查计划")

    def __str__(self) -> str:
        return self.title


class PlanRow(models.Model):
    """One row of a plan in the layout real plans use (龙岩 2025, rules.md §5.3)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(default=0)
    matter = models.CharField(max_length=200, verbose_name=_("检查事项"))
    basis = models.TextField(blank=True, verbose_name=_("实施依据"))
    mode = models.CharField(max_length=10, choices=PlanMode.choices, verbose_name=_("检查类型"))
    targets = models.TextField(blank=True, verbose_name=_("重点检查对象"))
    population = models.CharField(max_length=300, blank=True, verbose_name=_("双随机抽查对象"))
    population_total = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("对象总数"))
    draw_count = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("抽查数量"))
    draw_ratio = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                     verbose_name=_("抽查比例"))
    content = models.TextField(blank=True, verbose_name=_("检查内容"))
    method = models.CharField(max_length=100, blank=True, verbose_name=_("检查方式"))
    frequency = models.PositiveSmallIntegerField(default=1, verbose_name=_("频次（次/年/单位）"))
    cap = models.PositiveSmallIntegerField(default=2, verbose_name=_("上限（次/年/单位）"))
    schedule = models.CharField(max_length=200, blank=True, verbose_name=_("时间安排"))
    undertaker = models.CharField(max_length=200, blank=True, verbose_name=_("承办机构"))
    joint = models.CharField(max_length=200, blank=True, verbose_name=_("联合检查（牵头/配合）"))
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("行业领域"))
    named = models.ManyToManyField(Enterprise, blank=True, related_name="+", verbose_name=_("重点检查企业"))

    class Meta:
        ordering = ["plan_id", "order", "pk"]

    def __str__(self) -> str:
        return self.matter


class Draw(DepartmentRow):
    """One 双随机 draw: committed (population, inspectors, parameters and seed sources hashed and published),
    then drawn once from the revealed inputs, or voided. See enforcement/draw.py."""

    plan_row = models.ForeignKey(PlanRow, null=True, blank=True, on_delete=models.SET_NULL, related_name="draws",
                                 verbose_name=_("计划事项"))
    title = models.CharField(max_length=200, verbose_name=_("抽查任务"))
    status = models.CharField(max_length=10, choices=DrawStatus.choices, default=DrawStatus.COMMITTED,
                              verbose_name=_("状态"))
    # Canonical JSON (enforcement.draw.canonical) of the snapshot, gzip-compressed: hashed into the commitment.
    population_gz = models.BinaryField(editable=False)
    inspectors_gz = models.BinaryField(editable=False)
    population_size = models.PositiveIntegerField(default=0, verbose_name=_("名录库对象数"))
    parameters = models.JSONField(default=dict, verbose_name=_("抽取参数"))
    filters = models.JSONField(default=dict, blank=True, verbose_name=_("定向条件"))
    commitment_document = models.JSONField(default=dict, editable=False)
    commitment = models.CharField(max_length=64, editable=False, verbose_name=_("承诺值"))
    public_source = models.CharField(max_length=200, verbose_name=_("公开随机源"))
    witness_name = models.CharField(max_length=60, verbose_name=_("见证人"))
    reveal = models.JSONField(default=dict, blank=True, editable=False)
    seed = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("种子"))
    result = models.JSONField(default=dict, blank=True, editable=False)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("操作人"))
    committed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("承诺时间"))
    drawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("抽取时间"))
    assignment_until = models.DateField(null=True, blank=True, verbose_name=_("检查完成期限"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("备注"))
    # Premises targets ("p<id>") of draws committed before the premises moved into checks.Premises: their old id →
    # the current one (the committed snapshot keeps the ids it was hashed with).
    target_aliases = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-committed_at", "-pk"]
        verbose_name = _("双随机抽查")
        verbose_name_plural = _("双随机抽查")

    def __str__(self) -> str:
        return self.title


class DrawAttempt(models.Model):
    """Every attempt to run a draw, successful or refused: a draw is never silently re-run."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices, verbose_name=_("结果"))
    public_value = models.CharField(max_length=200, blank=True, verbose_name=_("公开随机值"))
    problems = models.TextField(blank=True, verbose_name=_("问题"))
    result_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.outcome}"


class Inspection(models.Model):
    """One on-site inspection (安全生产法第六十七、六十八条; 行政处罚法第五十五条)."""

    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查部门"))
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("被检查企业"))
    premises = models.ForeignKey("checks.Premises", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("被检查场所"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    origin = models.CharField(max_length=10, choices=InspectionOrigin.choices, verbose_name=_("检查来源"))
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    plan_row = models.ForeignKey(PlanRow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED,
                              verbose_name=_("状态"))
    inspectors = models.ManyToManyField(Inspector, related_name="inspections", verbose_name=_("检查人员"))
    planned_date = models.DateField(null=True, blank=True, verbose_name=_("计划日期"))
    # 四不两直: 不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场.
    unannounced = models.BooleanField(default=False, verbose_name=_("四不两直"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("开始时间"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("结束时间"))
    place = models.CharField(max_length=200, blank=True, verbose_name=_("检查地点"))
    # 出示执法证件 (第六十七条): [{"inspector": id, "name": …, "cert_number": …, "shown_at": iso}]
    certificates_shown = models.JSONField(default=list, blank=True, editable=False, verbose_name=_("出示证件"))
    summary = models.TextField(blank=True, verbose_name=_("检查情况"))
    signer = models.CharField(max_length=60, blank=True, verbose_name=_("被检查单位负责人"))
    refused_to_sign = models.BooleanField(default=False, verbose_name=_("拒绝签字"))
    refusal_note = models.CharField(max_length=500, blank=True, verbose_name=_("拒签情况"))
    review_days = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("整改期限（日）"))
    review_due = models.DateField(null=True, blank=True, verbose_name=_("复查期限"))
    review_note = models.TextField(blank=True, verbose_name=_("复查意见"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    enterprise_lookup = "enterprise"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("现场检查")
        verbose_name_plural = _("现场检查")
        indexes = [models.Index(fields=["enterprise", "status"], name="enf_insp_ent_status")]

    def __str__(self) -> str:
        return f"{self.target_name} {self.get_origin_display()}"

    @property
    def target_name(self) -> str:
        target: Any = self.enterprise if self.enterprise_id else self.premises
        return str(target) if target is not None else ""

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_row_scope_q(scope) | scope.unit_q("department_id")


class Finding(models.Model):
    """One finding of an inspection: text, clause, photo (core attachments), result. ``checklist_item_ref`` is the
    seam to the checklist library (the ``checks`` app): the item a finding answers, once linked."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(verbose_name=_("检查发现"))
    basis = models.CharField(max_length=300, blank=True, verbose_name=_("依据条款"))
    result = models.CharField(max_length=10, choices=FindingResult.choices, verbose_name=_("结果"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("整改期限"))
    checklist_item_ref = models.JSONField(null=True, blank=True, verbose_name=_("检查表条目"))
    # Set by the client (the offline inspection page): a finding posted again under the same uuid is not added twice.
    uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    hazard = models.OneToOneField("hazards.Hazard", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("隐患"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class InspectionChecklist(models.Model):
    """One submission of checklist results on an inspection: a list of the ``checks`` library worked through (all
    its items or some), posted whole under a client ``uuid`` (offline: sent once on reconnect, never twice). Only
    the items marked are recorded; the others of the list stay 未检查, never silently passed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklists")
    checklist = models.ForeignKey("checks.Checklist", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("检查表"))
    uuid = models.UUIDField(unique=True, editable=False)
    items_checked = models.PositiveIntegerField(default=0, verbose_name=_("已检查项"))
    items_failed = models.PositiveIntegerField(default=0, verbose_name=_("不合格项"))
    items_na = models.PositiveIntegerField(default=0, verbose_name=_("不适用项"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("提交时间"))

    class Meta:
        ordering = ["inspection_id", "submitted_at", "pk"]
        verbose_name = _("检查表使用记录")
        verbose_name_plural = _("检查表使用记录")

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.checklist_id}"


class ChecklistResult(models.Model):
    """One item of a library checklist marked on an inspection: 合格 / 不合格 (→ a ``Finding``) / 不适用."""

    sheet = models.ForeignKey(InspectionChecklist, on_delete=models.CASCADE, related_name="results")
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist_results")
    item = models.ForeignKey("checks.CheckItem", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("检查项"))
    outcome = models.CharField(max_length=8, choices=Outcome.choices, verbose_name=_("结果"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("说明"))
    finding = models.OneToOneField(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sheet_id", "item__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="enf_checklist_item_once")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.outcome}"


class DocumentCounter(models.Model):
    """The last number given per department, year and document kind; locked (select_for_update) to number the
    next, so numbers are gap-free and never given twice."""

    department = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "year", "kind"], name="enf_counter_unique")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year} {self.kind} {self.last}"


class Case(EnterpriseRow):
    """A 行政处罚 case against an enterprise (行政处罚法; 安全生产法第九十七条起的罚则): a row of the enterprise, also
    seen by the department that handles it."""

    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("办案部门"))
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases",
                                   verbose_name=_("来源检查"))
    status = models.CharField(max_length=15, choices=CaseStatus.choices, default=CaseStatus.FILED,
                              verbose_name=_("状态"))
    cause = models.CharField(max_length=300, verbose_name=_("案由"))
    opened_on = models.DateField(verbose_name=_("立案日期"))
    decision_due = models.DateField(verbose_name=_("决定期限"))
    facts = models.TextField(blank=True, verbose_name=_("违法事实"))
    basis = models.TextField(blank=True, verbose_name=_("处罚依据"))
    penalty_types = models.JSONField(default=list, blank=True, verbose_name=_("处罚种类"))
    fine_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0, verbose_name=_("罚款金额（元）"))
    confiscation_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0,
                                              verbose_name=_("没收金额（元）"))
    statement = models.TextField(blank=True, verbose_name=_("陈述申辩/听证意见"))
    decided_on = models.DateField(null=True, blank=True, verbose_name=_("决定日期"))
    served_on = models.DateField(null=True, blank=True, verbose_name=_("送达日期"))
    executed_note = models.CharField(max_length=300, blank=True, verbose_name=_("执行情况"))
    publish_due = models.DateField(null=True, blank=True, verbose_name=_("公示期限"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("公示时间"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("撤回时间"))
    withdrawal_reason = models.CharField(max_length=300, blank=True, verbose_name=_("撤回理由"))
    closure_flagged = models.BooleanField(default=False, verbose_name=_("已提示提请关闭"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.cause}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_row_scope_q(scope) | scope.unit_q("department_id")


class EnforcementDocument(models.Model):
    """An issued 执法文书: its number (湘乡应急检记〔2026〕12号) and the inspection or case it belongs to."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="documents")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, verbose_name=_("文书类型"))
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=60, verbose_name=_("文号"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("制作时间"))
    # What a document decides beyond its inspection or case (强制措施决定书: the measure, basis, period, reason).
    details = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["inspection_id", "issued_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "kind", "seq"],
                                               name="enf_doc_number_unique")]

    def __str__(self) -> str:
        return self.number


for _model in (InspectionMatter, Inspector, AnnualPlan, Draw, Inspection):
    register_path_model(_model)
