"""举报 (tips): the public's reports, their handling, reward bands, the identity kept apart and encrypted, the
rate-limit counters of the public page and the typical cases published on the 曝光台 (exposure board)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import register_path_model
from core.scoping import Scope, ScopedQuerySet
from orgs.models import Jurisdiction, Unit
from tips.choices import ExposureKind, RewardGrade, TipKind, TipStatus


class Tip(models.Model):
    """One tip from the public (安全生产法第七十三、七十四条). Scope: the office and the township over its place
    (属地), and the department it is assigned to. The reporter's identity is in ``TipIdentity``, never here."""

    code = models.CharField(max_length=20, unique=True, editable=False, verbose_name=_("查询码"))
    kind = models.CharField(max_length=8, choices=TipKind.choices, verbose_name=_("举报类别"))
    description = models.TextField(verbose_name=_("举报内容"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("所在乡镇（街道）"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("被举报企业"))
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("被举报单位或场所"))
    address = models.CharField(max_length=200, verbose_name=_("地址"))
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("经度"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("纬度"))
    status = models.CharField(max_length=10, choices=TipStatus.choices, default=TipStatus.RECEIVED, editable=False,
                              verbose_name=_("状态"))
    received_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("收到时间"))
    accept_due = models.DateField(null=True, blank=True, editable=False, verbose_name=_("受理期限"))
    verify_due = models.DateField(null=True, blank=True, editable=False, verbose_name=_("核查期限"))
    reply_due = models.DateField(null=True, blank=True, editable=False, verbose_name=_("答复期限"))
    assigned_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      editable=False, verbose_name=_("承办单位"))
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("分办时间"))
    forwarded_to = models.CharField(max_length=200, blank=True, editable=False, verbose_name=_("移送机关"))
    verification = models.TextField(blank=True, editable=False, verbose_name=_("核查记录"))
    confirmed = models.BooleanField(null=True, editable=False, verbose_name=_("举报属实"))
    verified_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("核查时间"))
    reply = models.TextField(blank=True, editable=False, verbose_name=_("答复内容"))
    replied_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("答复时间"))
    hazard = models.ForeignKey("hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               editable=False, verbose_name=_("形成的隐患"))
    # A tip that needs enforcement becomes an inspection (来源: 举报) and, on a violation, a case of the department
    # handling it (``services.tip_open_inspection`` / ``tip_open_case``); nothing of the reporter goes with it.
    inspection = models.ForeignKey("enforcement.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="tips", editable=False, verbose_name=_("据此开展的检查"))
    case = models.ForeignKey("enforcement.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="tips",
                             editable=False, verbose_name=_("据此立案的案件"))
    reward_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, editable=False,
                                        verbose_name=_("奖励金额（元）"))
    reward_basis = models.CharField(max_length=200, blank=True, editable=False, verbose_name=_("奖励依据"))
    reward_proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", editable=False)
    reward_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", editable=False)
    payout_ref = models.CharField(max_length=120, blank=True, editable=False, verbose_name=_("发放凭证号"))
    paid_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("发放时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        indexes = [models.Index(fields=["status", "received_at"], name="tips_tip_status_at")]

    def __str__(self) -> str:
        return f"{self.code[:4]}… {self.get_kind_display()} {self.address[:20]}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return scope.territorial_q("jurisdiction_path") | scope.unit_q("assigned_unit_id")

    @property
    def place(self) -> str:
        return self.enterprise.name if self.enterprise_id else (self.subject or self.address)


register_path_model(Tip)


class TipIdentity(models.Model):
    """Who reported, kept apart from the tip and encrypted at rest (``tips.crypto``); read only through
    ``services.identity_reveal``, which checks the role and records every showing."""

    tip = models.OneToOneField(Tip, on_delete=models.CASCADE, related_name="identity")
    name_sealed = models.TextField(blank=True)
    phone_sealed = models.TextField(blank=True)

    class Meta:
        verbose_name = _("举报人信息")

    def __str__(self) -> str:
        return f"identity of tip {self.tip_id}"  # never the identity itself


class TipEvent(models.Model):
    """The tip's timeline (domain events); the reporter sees only the states and the reply."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    label = models.CharField(max_length=60)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.tip_id} {self.label}"


class RewardBand(models.Model):
    """One band of the reward rule (安全生产法第七十六条): the amount for a tip of a kind whose hazard has a
    grade. The most specific band wins (kind and grade, then kind, then grade, then neither)."""

    kind = models.CharField(max_length=8, choices=TipKind.choices, blank=True, verbose_name=_("举报类别"))
    grade = models.CharField(max_length=8, choices=RewardGrade.choices, blank=True, verbose_name=_("隐患等级"))
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("奖励金额（元）"))
    basis = models.CharField(max_length=200, blank=True, verbose_name=_("依据"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "grade"]
        verbose_name = _("奖励标准")
        constraints = [models.UniqueConstraint(fields=["kind", "grade"], name="tips_band_kind_grade")]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or '不限'} / {self.get_grade_display()}: {self.amount}"


class RateCount(models.Model):
    """Counters of the public page's rate limits, one row per key and window, in the database so that every
    process shares them. Old windows are removed by ``limits.prune`` (periodic)."""

    key = models.CharField(max_length=120)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="tips_rate_key_window")]
        indexes = [models.Index(fields=["window"], name="tips_rate_window")]

    def __str__(self) -> str:
        return f"{self.key} {self.window:%Y-%m-%d %H:%M} {self.count}"


class ExposureEntry(models.Model):
    """A typical case the office published on the 曝光台: text with personal data masked, and an expiry."""

    kind = models.CharField(max_length=8, choices=ExposureKind.choices, verbose_name=_("类别"))
    title = models.CharField(max_length=200, verbose_name=_("标题"))
    summary = models.TextField(verbose_name=_("案情与处理"))
    grounds = models.CharField(max_length=300, blank=True, verbose_name=_("依据"))
    enterprise_name = models.CharField(max_length=200, blank=True, verbose_name=_("单位"))
    tip = models.ForeignKey(Tip, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("enforcement.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    published_on = models.DateField(verbose_name=_("发布日期"))
    expires_on = models.DateField(verbose_name=_("撤下日期"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("曝光典型案例")
        verbose_name_plural = _("曝光典型案例")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return scope.territorial_q("jurisdiction_path")


register_path_model(ExposureEntry)
