from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("安委办")
    REGULATOR = "regulator", _("行业监管部门")
    TOWNSHIP = "township", _("乡镇（街道、园区）")
    ENTERPRISE = "enterprise", _("企业")
    INSPECTOR = "inspector", _("执法检查人员")
    EXPERT = "expert", _("专家")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")


SYSTEM_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
BUSINESS_ROLES = frozenset(set(Role) - SYSTEM_ROLES)
