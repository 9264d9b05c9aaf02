"""挂牌督办 and the 一单N制 template (Hunan's 一单四制 by default; the seed's 一单五制 and others loadable)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formats import cn_date
from core.scoping import Scope, ScopedQuerySet
from hazards.choices import SupervisionLevel
from orgs.models import Unit


class SupervisionTemplate(models.Model):
    code = models.CharField(max_length=40, unique=True, verbose_name=_("代码"))
    name = models.CharField(max_length=80, verbose_name=_("名称"))
    basis = models.CharField(max_length=300, blank=True, verbose_name=_("依据"))
    is_default = models.BooleanField(default=False, verbose_name=_("默认"))
    circular_days = models.PositiveSmallIntegerField(default=15, verbose_name=_("通报周期（天）"))

    class Meta:
        ordering = ["-is_default", "code"]
        verbose_name = _("一单N制模板")
        verbose_name_plural = _("一单N制模板")

    def __str__(self) -> str:
        return self.name


class SupervisionStep(models.Model):
    class Kind(models.TextChoices):
        ASSIGN = "assign", _("交办制")
        LEDGER = "ledger", _("台账制")
        CLOSE = "close", _("销号制")
        CIRCULAR = "circular", _("通报制")
        CLEAR = "clear", _("清零制")
        SUPERVISE = "supervise", _("督办制")
        MONTHLY = "monthly", _("月报制")
        PATROL = "patrol", _("巡查追责制")
        INTERVIEW = "interview", _("约谈制")

    template = models.ForeignKey(SupervisionTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(verbose_name=_("顺序"))
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("环节"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("说明"))

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("一单N制环节")
        verbose_name_plural = _("一单N制环节")
        constraints = [models.UniqueConstraint(fields=["template", "kind"], name="hz_step_unique_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class SupervisionQuerySet(ScopedQuerySet):
    def active(self) -> SupervisionQuerySet:
        return self.filter(removed_at__isnull=True)


class Supervision(models.Model):
    """One 挂牌督办 of a major hazard: listed until the hazard is 销号 (then removed, 摘牌)."""

    hazard = models.ForeignKey("hazards.Hazard", on_delete=models.PROTECT, related_name="supervisions")
    template = models.ForeignKey(SupervisionTemplate, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("督办制度"))
    level = models.CharField(max_length=10, choices=SupervisionLevel.choices, verbose_name=_("督办级别"))
    supervising_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("督办单位"))
    assigning_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办单位"))
    responsible_unit = models.CharField(max_length=200, verbose_name=_("治理责任单位"))
    deadline = models.DateField(verbose_name=_("督办整改期限"))
    requirements = models.TextField(blank=True, verbose_name=_("督办要求"))
    document_number = models.CharField(max_length=60, blank=True, verbose_name=_("督办文号"))
    listed_at = models.DateTimeField(default=timezone.now, verbose_name=_("挂牌时间"))
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("摘牌时间"))
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_at", "-pk"]
        verbose_name = _("挂牌督办")
        verbose_name_plural = _("挂牌督办")
        constraints = [models.UniqueConstraint(fields=["hazard"], condition=Q(removed_at__isnull=True),
                                               name="hz_one_active_supervision")]
        indexes = [models.Index(fields=["supervising_unit", "removed_at"], name="hz_sup_unit")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.hazard}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        from hazards.models.hazard import Hazard

        return Q(hazard__in=Hazard.objects.filter(Hazard.scope_q(scope)).values("pk"))


class SupervisionRecord(models.Model):
    """Each step of the 一单N制 and each follow-up (跟踪督办) on a listed hazard."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=12, choices=SupervisionStep.Kind.choices, verbose_name=_("环节"))
    note = models.TextField(blank=True, verbose_name=_("内容"))
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_unit = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def __str__(self) -> str:
        return f"{self.supervision_id} {self.get_kind_display()}"


class SupervisionCircular(models.Model):
    """通报: what is overdue among listed hazards, produced on a set period (every half month)."""

    period_start = models.DateField(verbose_name=_("通报期起"))
    period_end = models.DateField(verbose_name=_("通报期止"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("生成时间"))
    items = models.JSONField(default=list, blank=True)
    overdue_count = models.PositiveIntegerField(default=0, verbose_name=_("逾期项数"))
    open_count = models.PositiveIntegerField(default=0, verbose_name=_("在督项数"))

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("督办通报")
        verbose_name_plural = _("督办通报")
        constraints = [models.UniqueConstraint(fields=["period_end"], name="hz_circular_period")]

    def __str__(self) -> str:
        return f"通报 {cn_date(self.period_start)}—{cn_date(self.period_end)}"
