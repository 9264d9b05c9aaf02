"""Risk points (风险点), their assessments and control measures, the 风险报告 snapshots, site plans,
class decisions, 班前会 records and the risk ↔ hazard link.

Scope keys: every row here is an enterprise row (``enterprises.models.EnterpriseRow``: the enterprise and a
copy of its jurisdiction_path, set by ``copy_scope_keys`` in the create services, with the one scope rule);
assessments, measures and hazard links reach their enterprise through their risk point."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formats import cn_date
from enterprises.models import EnterpriseRow, EnterpriseRowQuerySet, EnterpriseScoped
from orgs.models import Domain
from risk.choices import (
    GRADE_RANK,
    ControlLevel,
    EnterpriseClass,
    Grade,
    MeasureKind,
    Method,
    PointKind,
    ReportStatus,
)
from risk.scoring import Bands


class GradingScheme(models.Model):
    """Thresholds from a score to the four grades. A row without a domain is the default for its method;
    a row for a domain overrides it for enterprises of that domain."""

    name = models.CharField(max_length=100, verbose_name=_("方案名称"))
    method = models.CharField(max_length=8, choices=[(Method.LEC, Method.LEC.label), (Method.LS, Method.LS.label)],
                              verbose_name=_("评价方法"))
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("适用行业领域"), help_text=_("留空为默认方案"))
    red_threshold = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("重大风险阈值"))
    orange_threshold = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("较大风险阈值"))
    yellow_threshold = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("一般风险阈值"))
    inclusive = models.BooleanField(default=False, verbose_name=_("阈值含等于"),
                                    help_text=_("勾选：分值≥阈值即入该级；不勾选：分值>阈值才入该级"))
    version = models.PositiveIntegerField(default=1, verbose_name=_("版本"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["method", "domain_id", "pk"]
        verbose_name = _("风险分级方案")
        verbose_name_plural = _("风险分级方案")
        constraints = [
            models.UniqueConstraint(fields=["method", "domain"], name="risk_scheme_method_domain"),
            models.UniqueConstraint(fields=["method"], condition=models.Q(domain__isnull=True),
                                    name="risk_scheme_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def bands(self) -> Bands:
        return Bands(Decimal(self.red_threshold), Decimal(self.orange_threshold), Decimal(self.yellow_threshold),
                     self.inclusive)


class RiskPointQuerySet(EnterpriseRowQuerySet):
    def active(self) -> RiskPointQuerySet:
        return self.filter(archived=False)


class RiskPoint(EnterpriseRow):
    kind = models.CharField(max_length=10, choices=PointKind.choices, verbose_name=_("类型"))
    name = models.CharField(max_length=120, verbose_name=_("风险点名称"))
    location = models.CharField(max_length=200, blank=True, verbose_name=_("所在位置"))
    department = models.CharField(max_length=80, blank=True, verbose_name=_("所属车间/部门"))
    team = models.CharField(max_length=80, blank=True, verbose_name=_("班组"))
    description = models.TextField(blank=True, verbose_name=_("风险描述"))
    hazard_factors = models.JSONField(default=list, blank=True, verbose_name=_("危险有害因素"))
    accident_types = models.JSONField(default=list, blank=True, verbose_name=_("可能导致的事故类型"))
    # Current assessment (the latest RiskAssessment, denormalised for lists, maps and counts).
    method = models.CharField(max_length=8, choices=Method.choices, blank=True, verbose_name=_("评价方法"))
    score_l = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, verbose_name="L")
    score_e = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, verbose_name="E")
    score_c = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, verbose_name="C")
    score_s = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, verbose_name="S")
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("风险值"))
    grade = models.CharField(max_length=8, choices=Grade.choices, null=True, blank=True, db_index=True,
                             verbose_name=_("风险等级"))
    direct_major = models.BooleanField(default=False, verbose_name=_("直接判定为重大风险"))
    direct_reason = models.CharField(max_length=300, blank=True, verbose_name=_("直接判定依据"))
    control_level = models.CharField(max_length=10, choices=ControlLevel.choices, blank=True,
                                     verbose_name=_("管控层级"))
    responsible = models.CharField(max_length=60, blank=True, verbose_name=_("责任人"))
    review_date = models.DateField(null=True, blank=True, verbose_name=_("下次评审日期"))
    # For the cards of a post (一会三卡)
    emergency_actions = models.TextField(blank=True, verbose_name=_("应急处置措施"),
                                         help_text=_("岗位应急处置卡：发生事故时的处置步骤，每行一步"))
    duties = models.TextField(blank=True, verbose_name=_("岗位安全责任"),
                              help_text=_("岗位安全责任卡：本岗位的安全职责，每行一条"))
    emergency_phone = models.CharField(max_length=60, blank=True, verbose_name=_("应急联系电话"))
    # Placement on the site plan: GeoJSON geometry in image pixel coordinates ([x, y], y downwards from top).
    plan_geometry = models.JSONField(null=True, blank=True, verbose_name=_("分布图位置"))
    archived = models.BooleanField(default=False, verbose_name=_("已撤销"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskPointQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "pk"]
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        indexes = [models.Index(fields=["jurisdiction_path", "grade"], name="risk_point_path_grade"),
                   models.Index(fields=["enterprise", "archived"], name="risk_point_ent")]

    def __str__(self) -> str:
        return self.name

    @property
    def grade_rank(self) -> int:
        return GRADE_RANK.get(self.grade or "", 0)

    @property
    def inputs_label(self) -> str:
        def f(v: Decimal | None) -> str:
            return "" if v is None else format(v.normalize(), "f")

        if self.method == Method.LEC:
            return f"L={f(self.score_l)} E={f(self.score_e)} C={f(self.score_c)}"
        if self.method == Method.LS:
            return f"L={f(self.score_l)} S={f(self.score_s)}"
        return ""


class RiskPointPart(EnterpriseScoped):
    """Abstract: a row hanging from a risk point, keyed (and scoped) through it."""

    enterprise_lookup = "risk_point__enterprise"
    keys_from = "risk_point"

    class Meta:
        abstract = True


class RiskAssessment(RiskPointPart):
    """One assessment of a point; every re-assessment is kept (the history)."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="assessments")
    method = models.CharField(max_length=8, choices=Method.choices, verbose_name=_("评价方法"))
    inputs = models.JSONField(default=dict, verbose_name=_("取值"))
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("风险值"))
    score_grade = models.CharField(max_length=8, choices=Grade.choices, null=True, blank=True,
                                   verbose_name=_("按分值的等级"))
    grade = models.CharField(max_length=8, choices=Grade.choices, verbose_name=_("风险等级"))
    direct_major = models.BooleanField(default=False, verbose_name=_("直接判定为重大风险"))
    direct_reason = models.CharField(max_length=300, blank=True, verbose_name=_("直接判定依据"))
    scheme = models.CharField(max_length=140, blank=True, verbose_name=_("分级方案及版本"))
    thresholds = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("评估原因"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("评估时间"))

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("风险评估记录")
        verbose_name_plural = _("风险评估记录")

    def __str__(self) -> str:
        return f"{self.risk_point_id} {self.grade}"


class ControlMeasure(RiskPointPart):
    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=12, choices=MeasureKind.choices, verbose_name=_("措施类别"))
    level = models.CharField(max_length=10, choices=ControlLevel.choices, verbose_name=_("管控层级"))
    content = models.TextField(verbose_name=_("管控措施"))
    responsible = models.CharField(max_length=60, verbose_name=_("责任人"))

    class Meta:
        ordering = ["risk_point_id", "kind", "pk"]
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")

    def __str__(self) -> str:
        return self.content[:40]


class RiskReport(EnterpriseRow):
    """风险报告: a versioned snapshot of the enterprise's list, with what changed since the previous one."""

    version = models.PositiveIntegerField(verbose_name=_("版次"))
    snapshot = models.JSONField(default=list)
    overall_grade = models.CharField(max_length=8, choices=Grade.choices, null=True, blank=True,
                                     verbose_name=_("企业风险等级"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("变化"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("报告说明"))
    status = models.CharField(max_length=14, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED,
                              editable=False, verbose_name=_("状态"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("报告人"))
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("报告时间"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("签收人"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("签收时间"))
    acknowledge_note = models.CharField(max_length=300, blank=True, verbose_name=_("签收意见"))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("风险报告")
        verbose_name_plural = _("风险报告")
        constraints = [models.UniqueConstraint(fields=["enterprise", "version"], name="risk_report_version")]
        indexes = [models.Index(fields=["jurisdiction_path", "status"], name="risk_report_path_status")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} 第{self.version}版"

    @property
    def change_count(self) -> int:
        c = self.changes or {}
        return len(c.get("added", [])) + len(c.get("removed", [])) + len(c.get("grade_changed", []))


class SitePlan(EnterpriseRow):
    """The enterprise's site plan (平面布置图); the image is an Attachment owned by this row."""

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+",
                                      verbose_name=_("企业"))
    attachment = models.ForeignKey("core.Attachment", null=True, on_delete=models.SET_NULL, related_name="+")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("厂区平面图")
        verbose_name_plural = _("厂区平面图")

    def __str__(self) -> str:
        return f"{self.enterprise_id} 平面图"


class ClassDecision(EnterpriseRow):
    """A regulator's manual 分类分级 override (with its reason); the newest one stands until revoked."""

    klass = models.CharField(max_length=2, choices=EnterpriseClass.choices, null=True, blank=True,
                             verbose_name=_("监管类别"), help_text=_("留空表示撤销人工调整，恢复按规则计算"))
    reason = models.CharField(max_length=500, verbose_name=_("调整理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("调整人"))
    decided_at = models.DateTimeField(auto_now_add=True, verbose_name=_("调整时间"))

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("分类分级调整")
        verbose_name_plural = _("分类分级调整")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.klass}"


class PreShiftMeeting(EnterpriseRow):
    """班前会: 三讲一落实 (讲任务、讲风险、讲措施)."""

    date = models.DateField(verbose_name=_("日期"))
    team = models.CharField(max_length=80, verbose_name=_("班组"))
    host = models.CharField(max_length=60, verbose_name=_("主持人"))
    attendees = models.TextField(verbose_name=_("参会人员"), help_text=_("姓名，用顿号或逗号分隔"))
    task = models.TextField(verbose_name=_("讲任务"))
    risks = models.TextField(verbose_name=_("讲风险"))
    measures = models.TextField(verbose_name=_("讲措施"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("班前会记录")
        verbose_name_plural = _("班前会记录")

    def __str__(self) -> str:
        return f"{cn_date(self.date)} {self.team}"


class RiskPointHazard(RiskPointPart):
    """A hazard tied to the risk point whose control failed."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="hazard_links")
    hazard = models.OneToOneField("hazards.Hazard", on_delete=models.CASCADE, related_name="risk_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("风险点关联隐患")
        verbose_name_plural = _("风险点关联隐患")

    def __str__(self) -> str:
        return f"{self.risk_point_id}↔{self.hazard_id}"
