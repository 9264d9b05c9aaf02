"""Credit events, the 严重失信主体名单 (黑名单) and 信用修复 applications: rows of one enterprise (``EnterpriseRow``).

``CreditEvent`` is the one record of an enterprise's credit: every penalty decision writes one (it absorbed
``enforcement.CreditRecord``), and the collectors (``credit.collectors``) add the events other apps' records imply,
keyed by their source object (``source_key``, unique), so running them again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.choices import BlacklistStatus, EventKind, RepairStatus
from enterprises.models import EnterpriseRow
from orgs.models import Unit

# Where the source of an event is shown (``source_type`` → URL name taking the pk).
SOURCE_PAGES = {"enforcement.case": "enforcement:case", "hazards.hazard": "hazards:detail",
                "accidents.accident": "accidents:detail", "tips.tip": "tips:detail",
                "enforcement.inspection": "enforcement:inspection"}


class CreditEvent(EnterpriseRow):
    kind = models.CharField(max_length=20, choices=EventKind.choices, verbose_name=_("类别"))
    points = models.IntegerField(verbose_name=_("分值"))
    grounds = models.CharField(max_length=500, verbose_name=_("事由"))
    level = models.CharField(max_length=2, blank=True, verbose_name=_("等级"))
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0, verbose_name=_("金额（元）"))
    source_type = models.CharField(max_length=40, blank=True, verbose_name=_("来源"))
    source_id = models.BigIntegerField(null=True, blank=True)
    source_key = models.CharField(max_length=80, unique=True, editable=False)
    occurred_on = models.DateField(verbose_name=_("发生日期"))
    expires_on = models.DateField(verbose_name=_("有效期至"))
    department = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("记录部门"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("记录时间"))
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("撤销时间"))
    revoke_reason = models.CharField(max_length=300, blank=True, editable=False, verbose_name=_("撤销理由"))
    repaired_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("修复时间"))
    repair = models.ForeignKey("credit.RepairApplication", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="repaired_events", editable=False, verbose_name=_("信用修复"))

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")
        indexes = [models.Index(fields=["enterprise", "expires_on"], name="credit_event_ent_exp"),
                   models.Index(fields=["source_type", "source_id"], name="credit_event_source"),
                   # The daily class sweep finds the events that started or stopped counting since its last run.
                   models.Index(fields=["expires_on"], name="credit_event_exp"),
                   models.Index(fields=["occurred_on"], name="credit_event_occ")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.grounds[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("credit:event", args=[self.pk])

    @property
    def source_url(self) -> str:
        name = SOURCE_PAGES.get(self.source_type)
        return reverse(name, args=[self.source_id]) if name and self.source_id else ""

    def counts_on(self, today: dt.date) -> bool:
        from credit.rules import counts

        return counts(self, today)

    @property
    def negative(self) -> bool:
        return self.points < 0


class BlacklistEntry(EnterpriseRow):
    """One entry of the 严重失信主体名单: proposed (拟列入, the unit told and heard) → listed (认定列入 by a department or
    the office, for ``BLACKLIST_YEARS``) → removed (移出: expiry, 信用修复, or the grounds withdrawn); or dropped."""

    status = models.CharField(max_length=10, choices=BlacklistStatus.choices, default=BlacklistStatus.PROPOSED,
                              editable=False, verbose_name=_("状态"))
    grounds = models.TextField(verbose_name=_("列入事由"))
    basis = models.CharField(max_length=300, blank=True, verbose_name=_("列入依据"))
    event = models.ForeignKey(CreditEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("依据的信用事件"))
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", editable=False,
                                   verbose_name=_("认定部门"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    editable=False, verbose_name=_("提出人"))
    proposed_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("提出时间"))
    statement = models.TextField(blank=True, editable=False, verbose_name=_("陈述申辩情况"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("认定人"))
    listed_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("列入日期"))
    expires_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("有效期至"))
    removed_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("移出日期"))
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("移出人"))
    removal_reason = models.CharField(max_length=300, blank=True, editable=False, verbose_name=_("移出理由"))

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("严重失信主体名单")
        verbose_name_plural = _("严重失信主体名单")
        indexes = [models.Index(fields=["status", "expires_on"], name="credit_black_live")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.grounds[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("credit:blacklist_detail", args=[self.pk])

    def live_on(self, today: dt.date) -> bool:
        return (self.status == BlacklistStatus.LISTED and self.listed_on is not None and self.expires_on is not None
                and self.listed_on <= today < self.expires_on)


class RepairApplication(EnterpriseRow):
    """信用修复: the enterprise asks that some of its events (and its place on the list) stop counting, stating its
    rectification and signing a commitment; a department or the office approves when the conditions hold."""

    status = models.CharField(max_length=10, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED,
                              editable=False, verbose_name=_("状态"))
    events = models.ManyToManyField(CreditEvent, blank=True, related_name="repair_applications",
                                    verbose_name=_("申请修复的信用事件"))
    blacklist_entry = models.ForeignKey(BlacklistEntry, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="repair_applications", verbose_name=_("申请移出的名单"))
    rectification = models.TextField(verbose_name=_("整改情况"))
    penalty_fulfilled = models.BooleanField(default=False, verbose_name=_("已履行行政处罚（缴清罚款等）"))
    commitment = models.TextField(verbose_name=_("信用承诺"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False, verbose_name=_("申请人"))
    submitted_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("审核人"))
    decided_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     editable=False, verbose_name=_("审核单位"))
    decided_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("审核时间"))
    decision_note = models.CharField(max_length=500, blank=True, editable=False, verbose_name=_("审核意见"))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("credit:repair_detail", args=[self.pk])


class ClassSweep(models.Model):
    """One row: the day up to which the stored credit classes (``Enterprise.credit_class``) follow time — events
    and listings that began or ended on or before it are reflected (``credit.standing.sweep``)."""

    day = models.DateField(verbose_name=_("已更新至"))

    class Meta:
        verbose_name = _("信用等级更新")
        verbose_name_plural = _("信用等级更新")

    def __str__(self) -> str:
        return str(self.day)
