"""User-defined ledgers: a definition (columns with types) made in the UI, rows stored as validated JSON."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope
from enterprises.models import Enterprise, EnterpriseRow
from orgs.models import Domain, Jurisdiction, Unit


class ColumnType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")
    BOOL = "bool", _("是/否")
    FILE = "file", _("文件")


class Target(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业填报")
    JURISDICTION = "jurisdiction", _("属地单位填报")


class LedgerDefinitionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> LedgerDefinitionQuerySet:
        """Definitions in use are open to every business account (each fills or reads only its own rows, scoped
        by ``CustomRow``); one not yet (or no longer) in use only to its author and the campaign office."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.has_business_role:
            return self.none()
        if user.has_role("office"):
            return self.all()
        return self.filter(models.Q(active=True) | models.Q(created_by=user))


class LedgerDefinition(models.Model):
    name = models.CharField(max_length=120, unique=True, verbose_name=_("台账名称"))
    description = models.TextField(blank=True, verbose_name=_("说明（依据的通知、填报要求）"))
    owner_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("建立单位"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("建立人"))
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("行业领域"),
                               help_text=_("部门建立的台账：该行业的监管部门可看到属地单位填报的记录"))
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.ENTERPRISE,
                              verbose_name=_("填报对象"))
    # [{"key": "c1", "label": "...", "type": "date", "required": true, "due": true, "choices": ["甲", "乙"]}]
    columns = models.JSONField(default=list, verbose_name=_("栏目"))
    enterprises = models.ManyToManyField(Enterprise, blank=True, related_name="+", verbose_name=_("填报企业"))
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="+", verbose_name=_("填报属地"))
    remind_days = models.PositiveSmallIntegerField(default=30, verbose_name=_("提前提醒天数"))
    active = models.BooleanField(default=True, verbose_name=_("启用"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("建立时间"))

    objects = LedgerDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("自定义台账")
        verbose_name_plural = _("自定义台账")

    def __str__(self) -> str:
        return self.name

    @property
    def due_columns(self) -> list[dict]:
        return [c for c in self.columns if c.get("type") == ColumnType.DATE and c.get("due")]


class CustomRow(EnterpriseRow):
    """A row of a user-defined ledger: an enterprise's row, or (no enterprise) a territorial unit's row keyed
    by the jurisdiction it was filled for."""

    definition = models.ForeignKey(LedgerDefinition, on_delete=models.CASCADE, related_name="rows",
                                   verbose_name=_("台账"))
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("企业"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("属地"))
    values = models.JSONField(default=dict, verbose_name=_("内容"))
    # The earliest due-date column of the row, kept by the services so reminders are one indexed query.
    due_date = models.DateField(null=True, blank=True, db_index=True, editable=False, verbose_name=_("到期日"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("自定义台账记录")
        verbose_name_plural = _("自定义台账记录")
        indexes = [models.Index(fields=["definition", "jurisdiction_path"], name="led_custom_def_path")]

    def __str__(self) -> str:
        first = next(iter(self.values.values()), "") if isinstance(self.values, dict) else ""
        return f"{self.definition.name}：{first}" if first else f"{self.definition.name} #{self.pk}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # Enterprise rows as every enterprise row; rows a territorial unit fills (no enterprise) are also seen
        # by the regulators of the definition's domain.
        return super().scope_q(scope) | (
            models.Q(enterprise__isnull=True)
            & scope.domain_q("jurisdiction_path", domain_field="definition__domain_id"))
