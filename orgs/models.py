"""Organisations: the jurisdiction tree, industry domains, and the units people work in."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from orgs.choices import DomainKind, JurisdictionLevel, UnitKind


class Domain(models.Model):
    """行业领域: the 12 domains of the seed plan plus its 2 thematic areas."""

    code = models.CharField(max_length=16, unique=True, verbose_name=_("代码"))
    name = models.CharField(max_length=80, unique=True, verbose_name=_("名称"))
    short_name = models.CharField(max_length=40, verbose_name=_("简称"))
    kind = models.CharField(max_length=16, choices=DomainKind.choices, default=DomainKind.DOMAIN, verbose_name=_("类别"))
    sort = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")

    def __str__(self) -> str:
        return self.short_name or self.name


class JurisdictionQuerySet(ScopedQuerySet):
    def subtree(self, node: Jurisdiction) -> JurisdictionQuerySet:
        return self.filter(path__startswith=node.path)


class Jurisdiction(models.Model):
    """属地: a node of the territorial tree. ``path`` is the materialised chain of ids
    ("/1/4/17/"); scoped rows copy it so that a subtree is one indexed prefix match."""

    name = models.CharField(max_length=80, verbose_name=_("名称"))
    code = models.CharField(max_length=32, unique=True, verbose_name=_("区划代码"))
    level = models.CharField(max_length=16, choices=JurisdictionLevel.choices, verbose_name=_("层级"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("上级"))
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    synthetic = models.BooleanField(default=False, verbose_name=_("演示数据"),
                                    help_text=_("种子文件未列出、为演示而虚构的单位"))
    sort = models.PositiveIntegerField(default=0, verbose_name=_("排序"))

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="orgs_jurisdiction_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # The territorial tree is a directory: every business user may read it (to pick a
        # township in a filter, say); what lies in it is scoped by the rows' own models.
        return models.Q()

    def ancestors(self) -> models.QuerySet[Jurisdiction]:
        ids = [int(x) for x in self.path.strip("/").split("/") if x]
        return Jurisdiction.objects.filter(pk__in=ids).order_by(Length("path"))


class UnitQuerySet(ScopedQuerySet):
    pass


class Unit(models.Model):
    """A unit people work in and tasks are assigned to: a committee or its office, a
    department, a township / subdistrict / park government, a named enterprise."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("名称"))
    kind = models.CharField(max_length=16, choices=UnitKind.choices, verbose_name=_("类别"))
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="units",
                                     verbose_name=_("所属/管辖区域"))
    jurisdiction_path = models.CharField(max_length=255, db_index=True, editable=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("上级单位"))
    domains = models.ManyToManyField(Domain, blank=True, related_name="units", verbose_name=_("监管行业领域"))
    collective = models.BooleanField(default=False, verbose_name=_("泛指"),
                                     help_text=_("如“相关部门”“各乡镇（街道）”等集合称谓"))
    synthetic = models.BooleanField(default=False, verbose_name=_("演示数据"))
    active = models.BooleanField(default=True, verbose_name=_("启用"))
    sort = models.PositiveIntegerField(default=0, verbose_name=_("排序"))
    # Kept by accounts.grants: until when the unit may hold a live explicit grant (accounts.ScopeGrant). Only while
    # it has one do its inspectors' scope predicates carry the grant condition (no cost for everyone else).
    grants_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # The unit directory (who leads what, whom to assign) is readable by every business user.
        return models.Q()


class UnitAlias(models.Model):
    """Another spelling of a unit's name as documents write it (市科工局 → 市科技工信局)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=120, db_index=True, verbose_name=_("别名"))

    class Meta:
        ordering = ["alias"]
        # One spelling may name several units at once ("经开区、水府管委会"): resolution returns all.
        constraints = [models.UniqueConstraint(fields=["unit", "alias"], name="orgs_unitalias_unique")]
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self) -> str:
        return self.alias


class Boundary(models.Model):
    """辖区边界: the outline of a jurisdiction (a township, a park) drawn on the regulators' maps, as a GeoJSON
    geometry (Polygon or MultiPolygon, WGS-84 lon/lat). Shipped data may be a synthetic stand-in (``synthetic``);
    the office replaces it with its own survey data on the 辖区边界 page (``orgs.boundaries``)."""

    jurisdiction = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="boundary",
                                        verbose_name=_("行政区划"))
    geometry = models.JSONField(verbose_name=_("边界"))
    vertices = models.PositiveIntegerField(default=0, verbose_name=_("顶点数"))
    synthetic = models.BooleanField(default=False, verbose_name=_("演示数据"))
    source = models.CharField(max_length=200, blank=True, verbose_name=_("来源"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("辖区边界")
        verbose_name_plural = _("辖区边界")

    def __str__(self) -> str:
        return str(self.jurisdiction)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # Part of the territorial directory, like the tree itself: readable by every business user.
        return models.Q()


from core.registry import register_path_model  # noqa: E402

register_path_model(Unit)
