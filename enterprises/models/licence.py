"""Licences (许可证) an enterprise holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.choices import LicenceKind
from enterprises.models.base import EnterpriseRow
from enterprises.models.enterprise import Enterprise


class Licence(EnterpriseRow):
    """A licence the enterprise holds, with its validity; lapses like every other dated item."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="licences",
                                   verbose_name=_("企业"))
    kind = models.CharField(max_length=20, choices=LicenceKind.choices, verbose_name=_("许可证类别"))
    name = models.CharField(max_length=120, blank=True, verbose_name=_("名称（其他类别时填写）"))
    number = models.CharField(max_length=80, verbose_name=_("证书编号"))
    issuer = models.CharField(max_length=120, blank=True, verbose_name=_("发证机关"))
    scope_text = models.CharField(max_length=500, blank=True, verbose_name=_("许可范围"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("有效期起"))
    valid_until = models.DateField(null=True, blank=True, db_index=True, verbose_name=_("有效期至"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        ordering = ["valid_until", "pk"]
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")
        indexes = [models.Index(fields=["jurisdiction_path", "valid_until"], name="ent_licence_path_due")]

    def __str__(self) -> str:
        return f"{self.display_kind} {self.number}"

    @property
    def display_kind(self) -> str:
        return self.name if self.kind == LicenceKind.OTHER and self.name else str(self.get_kind_display())
