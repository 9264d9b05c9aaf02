"""The enterprise registry. Scope keys: jurisdiction_path (属地) and domains (行业)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from enterprises.choices import RISK_FLAGS
from orgs.models import Domain, Jurisdiction, Unit


class EnterpriseQuerySet(ScopedQuerySet):
    def search(self, text: str) -> EnterpriseQuerySet:
        text = (text or "").strip().lower()
        if not text:
            return self
        from enterprises.credit_code import normalise

        code = normalise(text)  # a pasted code: full-width, spaced, lower case
        return self.filter(models.Q(search_text__contains=text) | models.Q(credit_code__startswith=code or text.upper()))


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
    safety_manager = models.CharField(max_length=60, blank=True, verbose_name=_("安全管理人员"))
    # The enterprise-side accounts that approve hazardous-work permits (the principal, the safety manager).
    principal_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("主要负责人账号"))
    safety_manager_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+",
                                            verbose_name=_("安全管理人员账号"))
    departments = models.ManyToManyField(Unit, blank=True, related_name="regulated_enterprises",
                                         limit_choices_to={"kind": "department"}, verbose_name=_("监管部门"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("联系电话"))
    employees = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("从业人员数"))
    above_scale = models.BooleanField(default=False, verbose_name=_("规模以上"))
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("经度"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("纬度"))
    flag_hazardous_process = models.BooleanField(default=False, verbose_name=RISK_FLAGS[0][1])
    flag_hazardous_chemicals = models.BooleanField(default=False, verbose_name=RISK_FLAGS[1][1])
    flag_major_hazard = models.BooleanField(default=False, verbose_name=RISK_FLAGS[2][1])
    flag_dust_explosion = models.BooleanField(default=False, verbose_name=RISK_FLAGS[3][1])
    flag_ammonia_refrigeration = models.BooleanField(default=False, verbose_name=RISK_FLAGS[4][1])
    flag_confined_space = models.BooleanField(default=False, verbose_name=RISK_FLAGS[5][1])
    flag_metallurgy = models.BooleanField(default=False, verbose_name=RISK_FLAGS[6][1])
    flag_non_coal_mine = models.BooleanField(default=False, verbose_name=RISK_FLAGS[7][1])
    flag_crowded_place = models.BooleanField(default=False, verbose_name=RISK_FLAGS[8][1])
    flag_high_rise = models.BooleanField(default=False, verbose_name=RISK_FLAGS[9][1])
    unit = models.OneToOneField(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="enterprise",
                                verbose_name=_("对应责任单位"))
    synthetic = models.BooleanField(default=False, verbose_name=_("演示数据"))
    # The credit class (credit.choices.CreditClass: a–d) as of the last change of its events or listing, or of the
    # day past an expiry: written only by ``credit.standing`` (with ``enterprises.tally``), read by the credit
    # figures, the list by class and the supervision class (risk.selectors).
    credit_class = models.CharField(max_length=1, default="a", editable=False, verbose_name=_("信用等级"))
    # Lower-cased name + full pinyin + pinyin initials, so "xxgt" finds 湘乡钢铁. Kept by the services.
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    objects = EnterpriseQuerySet.as_manager()

    # May be granted to an inspector outside its territory (accounts.grants): a drawn inspection target.
    grantable = True

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            models.Index(fields=["jurisdiction_path", "name"], name="ent_path_name"),
            # Lists are ordered by name: with this index a wide scope (the office, a department at the
            # city root) reads its first page in order instead of sorting every visible row.
            models.Index(fields=["name", "id"], name="ent_name_id"),
            # The credit list, worst class first (credit.views.CreditListView): read in index order, not sorted.
            models.Index(fields=["credit_class", "id"], name="ent_class_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def risk_flags(self) -> list[str]:
        return [str(label) for name, label in RISK_FLAGS if getattr(self, name)]

    @property
    def industry_label(self) -> str:
        from enterprises.industry import industry_label

        return industry_label(self.industry_code)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return (
            scope.territorial_q("jurisdiction_path")
            | scope.domain_q("jurisdiction_path", domain_exists=(EnterpriseDomain, "enterprise", "domain_id"))
            | scope.enterprise_q("pk")
            | scope.granted_q(cls)
        )


class EnterpriseDomain(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "domain"], name="ent_domain_unique")]
        indexes = [models.Index(fields=["domain", "enterprise"], name="ent_domain_by_domain")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.domain_id}"
