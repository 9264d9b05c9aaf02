from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇")
    SUBDISTRICT = "subdistrict", _("街道")
    PARK = "park", _("园区")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


class DomainKind(models.TextChoices):
    DOMAIN = "domain", _("行业领域")
    THEMATIC = "thematic", _("专题")


class UnitKind(models.TextChoices):
    COMMITTEE = "committee", _("委员会")
    OFFICE = "office", _("办公室")
    SUBCOMMITTEE = "subcommittee", _("专委会")
    DEPARTMENT = "department", _("部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    PARK = "park", _("园区")
    VILLAGE = "village", _("村（社区）")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


TERRITORIAL_UNIT_KINDS = (UnitKind.TOWNSHIP, UnitKind.PARK, UnitKind.VILLAGE)
