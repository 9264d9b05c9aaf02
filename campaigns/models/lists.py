"""两个清单: each unit's 问题隐患清单 and 制度措施清单 for a campaign."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ListItemStatus, ListKind
from campaigns.models.campaign import Campaign
from core.scoping import Scope, ScopedQuerySet


class ListItemQuerySet(ScopedQuerySet):
    pass


class ListItem(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="list_items")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="campaign_list_items",
                             verbose_name=_("单位"))
    kind = models.CharField(max_length=10, choices=ListKind.choices, verbose_name=_("清单"))
    item = models.TextField(verbose_name=_("问题隐患 / 制度措施"))
    measure = models.TextField(blank=True, verbose_name=_("整改措施"))
    owner = models.CharField(max_length=120, blank=True, verbose_name=_("责任人"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("完成时限"))
    deadline_text = models.CharField(max_length=200, blank=True, verbose_name=_("时间表（原文）"))
    status = models.CharField(max_length=12, choices=ListItemStatus.choices, default=ListItemStatus.OPEN,
                              verbose_name=_("状态"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListItemQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__sort", "kind", "pk"]
        verbose_name = _("两个清单条目")
        verbose_name_plural = _("两个清单")
        indexes = [models.Index(fields=["campaign", "unit", "kind"], name="campaigns_listitem_unit")]

    def __str__(self) -> str:
        return self.item[:60]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != ListItemStatus.DONE and self.deadline is not None and self.deadline < today

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The office rolls up its territory's lists; every unit keeps its own."""
        return scope.territorial_q("jurisdiction_path") | scope.unit_q("unit_id")
