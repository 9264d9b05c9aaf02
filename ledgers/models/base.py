"""The shared base of every built-in ledger row: an enterprise row (``enterprises.models.EnterpriseRow``:
the enterprise, its copied scope key, the scope rule) plus who entered it and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import EnterpriseRow


class LedgerRow(EnterpriseRow):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("登记时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        abstract = True
