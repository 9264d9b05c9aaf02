"""统计分析表 (16号令第十四条) snapshots and the API's idempotency records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from hazards.choices import PeriodKind


class StatisticsReportQuerySet(ScopedQuerySet):
    pass


class StatisticsReport(models.Model):
    """A submitted statistics table: the figures as they were when the enterprise submitted."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="hazard_reports",
                                   verbose_name=_("企业"))
    kind = models.CharField(max_length=8, choices=PeriodKind.choices, verbose_name=_("报表类型"))
    year = models.PositiveSmallIntegerField(verbose_name=_("年度"))
    quarter = models.PositiveSmallIntegerField(default=0, verbose_name=_("季度"), help_text=_("年度报表为 0"))
    due_date = models.DateField(verbose_name=_("报送期限"))
    figures = models.JSONField(default=dict)
    # The same table per domain code, so that a department regulating some of the enterprise's domains reads
    # only those (empty for reports submitted before it was kept).
    domain_figures = models.JSONField(default=dict, blank=True)
    principal = models.CharField(max_length=60, verbose_name=_("主要负责人（签字）"))
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("报送时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = StatisticsReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "-pk"]
        verbose_name = _("隐患排查治理统计分析表")
        verbose_name_plural = _("隐患排查治理统计分析表")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "year", "quarter"],
                                               name="hz_report_unique_period")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.kind == PeriodKind.QUARTER else f"{self.year}年度"

    @property
    def on_time(self) -> bool:
        return timezone.localdate(self.submitted_at) <= self.due_date

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        from enterprises.models import Enterprise

        return Q(enterprise__in=Enterprise.objects.filter(Enterprise.scope_q(scope)).values("pk"))


class IdempotencyRecord(models.Model):
    """A POST made with an ``Idempotency-Key``: a retry gets the stored response, byte for byte.

    ``status_code`` 0 marks a key claimed by a call still running (never visible outside its transaction)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    content_type = models.CharField(max_length=100, default="application/json")
    content = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="hz_idem_unique")]

    def __str__(self) -> str:
        return self.key
