"""The built-in ledgers (台账) every enterprise keeps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formats import cn_date
from ledgers.choices import (
    DrillKind,
    Duty,
    EquipmentKind,
    EquipmentStatus,
    OperationType,
    PermitKind,
    PermitStatus,
    PlanLevel,
    TrainingKind,
)
from ledgers.models.base import LedgerRow


def _ix(name: str, *fields: str) -> models.Index:
    return models.Index(fields=list(fields), name=name)


class SpecialEquipment(LedgerRow):
    kind = models.CharField(max_length=16, choices=EquipmentKind.choices, verbose_name=_("设备种类"))
    name = models.CharField(max_length=120, verbose_name=_("设备名称"))
    model_spec = models.CharField(max_length=120, blank=True, verbose_name=_("型号规格"))
    factory_number = models.CharField(max_length=80, blank=True, verbose_name=_("出厂编号"))
    location = models.CharField(max_length=200, blank=True, verbose_name=_("使用地点"))
    registered = models.BooleanField(default=False, verbose_name=_("已办理使用登记"))
    registration_number = models.CharField(max_length=80, blank=True, verbose_name=_("使用登记证编号"))
    last_inspection = models.DateField(null=True, blank=True, verbose_name=_("上次定期检验日期"))
    next_inspection = models.DateField(null=True, blank=True, verbose_name=_("下次定期检验日期"))
    status = models.CharField(max_length=10, choices=EquipmentStatus.choices, default=EquipmentStatus.IN_USE,
                              verbose_name=_("使用状态"))

    class Meta:
        ordering = ["next_inspection", "pk"]
        verbose_name = _("特种设备")
        verbose_name_plural = _("特种设备")
        indexes = [_ix("led_equip_path_next", "jurisdiction_path", "next_inspection"),
                   _ix("led_equip_ent", "enterprise", "kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class WorkerCertificate(LedgerRow):
    person_name = models.CharField(max_length=60, verbose_name=_("姓名"))
    id_number = models.CharField(max_length=18, verbose_name=_("身份证号"))
    operation_type = models.CharField(max_length=20, choices=OperationType.choices, verbose_name=_("作业类别"))
    operation_item = models.CharField(max_length=80, blank=True, verbose_name=_("操作项目"))
    certificate_number = models.CharField(max_length=80, blank=True, verbose_name=_("证书编号"),
                                          help_text=_("尚未取证的人员留空（计入“无证”）"))
    issuer = models.CharField(max_length=120, blank=True, verbose_name=_("发证机关"))
    issued_on = models.DateField(null=True, blank=True, verbose_name=_("初领日期"))
    expires_on = models.DateField(null=True, blank=True, verbose_name=_("有效期至"))
    # A renewed certificate replaces the earlier one of the same person and operation (kept for history).
    superseded = models.BooleanField(default=False, editable=False, verbose_name=_("已被新证替换"))

    class Meta:
        ordering = ["expires_on", "pk"]
        verbose_name = _("特种作业人员证书")
        verbose_name_plural = _("特种作业人员证书")
        indexes = [_ix("led_cert_path_exp", "jurisdiction_path", "expires_on"),
                   _ix("led_cert_person", "enterprise", "id_number")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.get_operation_type_display()}"

    @property
    def masked_id(self) -> str:
        v = self.id_number or ""
        return v[:6] + "*" * max(len(v) - 10, 0) + v[-4:] if len(v) > 10 else v


class WorkPermit(LedgerRow):
    kind = models.CharField(max_length=16, choices=PermitKind.choices, verbose_name=_("作业类别"))
    number = models.CharField(max_length=60, blank=True, verbose_name=_("票证编号"))
    location = models.CharField(max_length=200, verbose_name=_("作业地点"))
    content = models.CharField(max_length=500, verbose_name=_("作业内容"))
    grade = models.CharField(max_length=40, blank=True, verbose_name=_("作业级别"), help_text=_("如：特级、一级、二级"))
    workers = models.CharField(max_length=300, blank=True, verbose_name=_("作业人员"))
    guardian = models.CharField(max_length=60, blank=True, verbose_name=_("监护人"))
    hazards = models.TextField(blank=True, verbose_name=_("危害辨识"))
    measures = models.TextField(verbose_name=_("安全措施"), help_text=_("每行一条，审批前须逐条确认"))
    starts_at = models.DateTimeField(verbose_name=_("作业开始时间"))
    ends_at = models.DateTimeField(db_index=True, verbose_name=_("作业结束时间"))
    status = models.CharField(max_length=12, choices=PermitStatus.choices, default=PermitStatus.APPLIED,
                              editable=False, verbose_name=_("状态"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False, verbose_name=_("申请人"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("措施确认人"))
    checked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("措施确认时间"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("审批人"))
    approved_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("审批时间"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False, verbose_name=_("关闭人"))
    closed_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("关闭时间"))

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("危险作业票证")
        verbose_name_plural = _("危险作业票证")
        indexes = [_ix("led_permit_path_status", "jurisdiction_path", "status", "ends_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (PermitStatus.APPLIED, PermitStatus.CHECKED, PermitStatus.APPROVED)

    @property
    def measure_lines(self) -> list[str]:
        return [line.strip() for line in self.measures.splitlines() if line.strip()]


class PermitEvent(models.Model):
    """The permit's own story, as users read it (申请, 确认措施, 批准, 关闭 …)."""

    permit = models.ForeignKey(WorkPermit, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=PermitStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PermitStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.permit_id} {self.from_status}->{self.to_status}"


class Training(LedgerRow):
    title = models.CharField(max_length=200, verbose_name=_("培训主题"))
    kind = models.CharField(max_length=16, choices=TrainingKind.choices, verbose_name=_("培训类别"))
    held_on = models.DateField(verbose_name=_("培训日期"))
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, verbose_name=_("学时"))
    trainer = models.CharField(max_length=100, blank=True, verbose_name=_("授课人"))
    participants = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("参训人数"))
    content = models.TextField(blank=True, verbose_name=_("培训内容"))

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("安全培训")
        verbose_name_plural = _("安全培训")
        indexes = [_ix("led_training_path", "jurisdiction_path", "held_on")]

    def __str__(self) -> str:
        return self.title


class EmergencyPlan(LedgerRow):
    title = models.CharField(max_length=200, verbose_name=_("预案名称"))
    level = models.CharField(max_length=16, choices=PlanLevel.choices, verbose_name=_("预案类别"))
    version = models.CharField(max_length=40, blank=True, verbose_name=_("版本"))
    issued_on = models.DateField(null=True, blank=True, verbose_name=_("发布日期"))
    filing_number = models.CharField(max_length=80, blank=True, verbose_name=_("备案编号"))
    filed_on = models.DateField(null=True, blank=True, verbose_name=_("备案日期"))
    next_review = models.DateField(null=True, blank=True, verbose_name=_("下次评估（修订）日期"),
                                   help_text=_("一般每三年至少评估一次"))

    class Meta:
        ordering = ["level", "title", "pk"]
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        indexes = [_ix("led_plan_path", "jurisdiction_path", "next_review")]

    def __str__(self) -> str:
        return self.title


class Drill(LedgerRow):
    title = models.CharField(max_length=200, verbose_name=_("演练名称"))
    plan = models.ForeignKey(EmergencyPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="drills",
                             verbose_name=_("对应预案"))
    kind = models.CharField(max_length=10, choices=DrillKind.choices, verbose_name=_("演练形式"))
    held_on = models.DateField(verbose_name=_("演练日期"))
    participants = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("参演人数"))
    assessment = models.TextField(blank=True, verbose_name=_("演练评估与改进"))

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        indexes = [_ix("led_drill_path", "jurisdiction_path", "held_on")]

    def __str__(self) -> str:
        return self.title


class SafetyCommitment(LedgerRow):
    year = models.PositiveSmallIntegerField(verbose_name=_("年度"))
    principal = models.CharField(max_length=60, verbose_name=_("承诺人（主要负责人）"))
    content = models.TextField(verbose_name=_("承诺内容"))
    signed_on = models.DateField(verbose_name=_("签署日期"))
    public = models.BooleanField(default=True, verbose_name=_("向社会公开"))

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("安全承诺")
        verbose_name_plural = _("安全承诺")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="led_commitment_year")]
        indexes = [_ix("led_commit_path", "jurisdiction_path", "year")]

    def __str__(self) -> str:
        return f"{self.year}年度安全承诺"


class DutyRecord(LedgerRow):
    """One occurrence of one of the principal's 十个一次, with its evidence."""

    duty = models.CharField(max_length=16, choices=Duty.choices, verbose_name=_("履职事项"))
    held_on = models.DateField(verbose_name=_("日期"))
    summary = models.TextField(verbose_name=_("情况记录"))

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("十个一次履职记录")
        verbose_name_plural = _("十个一次履职记录")
        indexes = [_ix("led_duty_ent", "enterprise", "duty", "held_on")]

    def __str__(self) -> str:
        return f"{self.get_duty_display()} {cn_date(self.held_on)}"
