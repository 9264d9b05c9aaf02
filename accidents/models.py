"""Accidents (生产安全事故): the record, its casualty revisions, its domain events, the responsibility findings of its
investigation, and the monthly warning bulletin's text.

Scope keys are those of a hazard: ``jurisdiction_path`` and ``domain``, copied from the enterprise by
``accident_register`` (an accident of an enterprise follows it when it moves), or given directly for an accident
without one (a road, a dwelling, a river)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accidents.choices import AccidentType, Grade, PartyKind, Status
from core.registry import register_path_model
from core.scoping import Scope, ScopedQuerySet
from orgs.models import Domain, Jurisdiction, Unit


class Accident(models.Model):
    number = models.CharField(max_length=24, blank=True, db_index=True, editable=False, verbose_name=_("事故编号"))
    occurred_at = models.DateTimeField(verbose_name=_("发生时间"))
    accident_type = models.CharField(max_length=12, choices=AccidentType.choices, verbose_name=_("事故类别"),
                                     help_text=_("GB 6441-1986《企业职工伤亡事故分类》"))
    road_traffic = models.BooleanField(default=False, verbose_name=_("道路交通事故"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("事故单位"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("属地"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", verbose_name=_("行业领域"))
    address = models.CharField(max_length=255, verbose_name=_("事故地点"))
    deaths = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("死亡人数"))
    serious_injuries = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("重伤人数"))
    injuries = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("轻伤人数"))
    direct_loss = models.DecimalField(max_digits=12, decimal_places=2, default=0, editable=False,
                                      verbose_name=_("直接经济损失（万元）"))
    grade = models.CharField(max_length=10, choices=Grade.choices, editable=False, verbose_name=_("事故等级"))
    summary = models.TextField(verbose_name=_("事故简要经过"))
    # 火灾事故分级分类预警 (seed): where a fire happened decides how widely its warning is published.
    business_premises = models.BooleanField(default=True, verbose_name=_("生产经营场所"))
    notable = models.BooleanField(default=False, verbose_name=_("有较大影响"))
    typical = models.BooleanField(default=False, verbose_name=_("典型案例"),
                                  help_text=_("列入月度事故警示通报的典型案例"))
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.REGISTERED, editable=False,
                              verbose_name=_("状态"))
    cause = models.TextField(blank=True, editable=False, verbose_name=_("事故原因"))
    approved_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("调查报告批复日期"))
    # 《生产安全事故防范和整改措施落实情况评估办法》: evaluated within one year of the 批复.
    evaluation_due = models.DateField(null=True, blank=True, editable=False, verbose_name=_("整改评估期限"))
    evaluation = models.TextField(blank=True, editable=False, verbose_name=_("整改评估结论"))
    evaluated_on = models.DateField(null=True, blank=True, editable=False, verbose_name=_("评估日期"))
    imported = models.BooleanField(default=False, editable=False, verbose_name=_("历史导入"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))

    objects = ScopedQuerySet.as_manager()
    # An enterprise's accidents follow it to another jurisdiction (enterprises.models.rekey_enterprise_rows).
    enterprise_lookup = "enterprise"

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("生产安全事故")
        verbose_name_plural = _("生产安全事故")
        indexes = [
            models.Index(fields=["jurisdiction_path", "occurred_at"], name="acc_path_time"),
            models.Index(fields=["domain", "occurred_at"], name="acc_domain_time"),
            models.Index(fields=["enterprise", "occurred_at"], name="acc_ent_time"),
            models.Index(fields=["-occurred_at", "-id"], name="acc_time_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.where}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return (scope.territorial_q("jurisdiction_path")
                | scope.domain_q("jurisdiction_path", domain_field="domain_id")
                | scope.enterprise_q("enterprise_id"))

    @property
    def where(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.address

    @property
    def is_fire(self) -> bool:
        return self.accident_type == AccidentType.FIRE

    @property
    def occurred_on(self) -> dt.date:
        return timezone.localdate(self.occurred_at)

    def revision_last_day(self) -> dt.date:
        from accidents.grading import revision_last_day

        return revision_last_day(self.occurred_on, road_traffic=self.road_traffic, fire=self.is_fire)

    def revisable(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) <= self.revision_last_day()

    def fire_warning(self) -> str | None:
        from accidents.warnings import fire_warning_range

        return fire_warning_range(self)


class AccidentRevision(models.Model):
    """A change of casualties reported after the first report (补报, 第十三条), with the grade before and after."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(default=timezone.now, verbose_name=_("补报时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField(verbose_name=_("补报前"))
    after = models.JSONField(verbose_name=_("补报后"))
    grade_before = models.CharField(max_length=10, choices=Grade.choices, verbose_name=_("原等级"))
    grade_after = models.CharField(max_length=10, choices=Grade.choices, verbose_name=_("新等级"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("补报说明"))

    class Meta:
        ordering = ["accident_id", "at", "pk"]
        verbose_name = _("伤亡人数补报")
        verbose_name_plural = _("伤亡人数补报")

    def __str__(self) -> str:
        return f"{self.accident_id} {self.at:%Y-%m-%d}"


class AccidentEvent(models.Model):
    """The accident's timeline: 登记, 补报, each workflow move."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    label = models.CharField(max_length=40)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accident_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.accident_id} {self.action}"


class ResponsibilityFinding(models.Model):
    """A person or unit the investigation holds responsible, and what it proposes (处理建议)."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=8, choices=PartyKind.choices, verbose_name=_("类别"))
    name = models.CharField(max_length=120, verbose_name=_("责任人/责任单位"))
    position = models.CharField(max_length=120, blank=True, verbose_name=_("职务/单位性质"))
    responsibility = models.TextField(verbose_name=_("责任认定"))
    handling = models.TextField(blank=True, verbose_name=_("处理建议"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accident_id", "pk"]
        verbose_name = _("责任认定")
        verbose_name_plural = _("责任认定")

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        """A person's name as shown in published material (通报): the surname and 某 (张某某); units in full."""
        from accidents.warnings import mask_name

        return mask_name(self.name) if self.kind == PartyKind.PERSON else self.name


class Bulletin(models.Model):
    """The office's text of one month's 事故警示通报: the tasks for next month, entered before it is issued."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位"))
    month = models.DateField(verbose_name=_("月份"))  # the first day of the month reported on
    tasks = models.TextField(blank=True, verbose_name=_("下月工作任务"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("事故警示通报")
        verbose_name_plural = _("事故警示通报")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="acc_bulletin_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return scope.unit_q("unit_id")


register_path_model(Accident)
