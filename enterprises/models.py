"""The enterprise registry. Scope keys: jurisdiction_path (属地) and domains (行业)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from orgs.models import Domain, Jurisdiction, Unit


class EnterpriseQuerySet(ScopedQuerySet):
    def search(self, text: str) -> EnterpriseQuerySet:
        text = (text or "").strip().lower()
        if not text:
            return self
        return self.filter(models.Q(search_text__contains=text) | models.Q(credit_code__startswith=text.upper()))


class Enterprise(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("企业名称"))
    credit_code = models.CharField(max_length=18, unique=True, verbose_name=_("统一社会信用代码"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="enterprises",
                                     verbose_name=_("属地"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    domains = models.ManyToManyField(Domain, through="EnterpriseDomain", related_name="enterprises",
                                     verbose_name=_("行业领域"))
    industry_code = models.CharField(max_length=8, blank=True, verbose_name=_("国民经济行业代码"))
    address = models.CharField(max_length=255, blank=True, verbose_name=_("地址"))
    legal_representative = models.CharField(max_length=60, blank=True, verbose_name=_("法定代表人"))
    principal = models.CharField(max_length=60, blank=True, verbose_name=_("主要负责人"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("联系电话"))
    employees = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("从业人员数"))
    above_scale = models.BooleanField(default=False, verbose_name=_("规模以上"))
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("经度"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("纬度"))
    unit = models.OneToOneField(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="enterprise",
                                verbose_name=_("对应责任单位"))
    synthetic = models.BooleanField(default=False, verbose_name=_("演示数据"))
    # Lower-cased name + full pinyin + pinyin initials, so "xxgt" finds 湘乡钢铁. Kept by the services.
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [models.Index(fields=["jurisdiction_path", "name"], name="ent_path_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return (
            scope.territorial_q("jurisdiction_path")
            | scope.domain_q("jurisdiction_path", domain_exists=(EnterpriseDomain, "enterprise", "domain_id"))
            | scope.enterprise_q("pk")
        )


class EnterpriseDomain(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "domain"], name="ent_domain_unique")]
        indexes = [models.Index(fields=["domain", "enterprise"], name="ent_domain_by_domain")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.domain_id}"


from core.registry import register_path_model  # noqa: E402

register_path_model(Enterprise)
