"""The shared base of every ledger row: the enterprise, its copied scope key, who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from enterprises.models import Enterprise, enterprise_row_scope_q


class LedgerQuerySet(ScopedQuerySet):
    pass


class LedgerRow(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业"))
    # Copied from the enterprise by the create service (and re-keyed when the enterprise moves).
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # Territory by the row's own path; domains through the enterprise's domain links; the enterprise itself.
        return enterprise_row_scope_q(scope)
