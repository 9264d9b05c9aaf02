from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    SELF_CHECK = "self", _("企业自查")
    GOVERNMENT = "gov", _("政府检查")
    PUBLIC_REPORT = "report", _("群众举报")
    SENSOR = "sensor", _("监测报警")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    # 16号令第三条: 物的危险状态、人的不安全行为和管理上的缺陷 (+ external factors).
    THING = "thing", _("物的不安全状态")
    PERSON = "person", _("人的不安全行为")
    MANAGEMENT = "mgmt", _("管理缺陷")
    ENVIRONMENT = "env", _("环境及外部因素")


class Grade(models.TextChoices):
    GENERAL = "general", _("一般事故隐患")
    MAJOR = "major", _("重大事故隐患")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSESSED = "assessed", _("已定级")
    PLANNED = "planned", _("已制定方案")
    RECTIFYING = "rectifying", _("整改中")
    APPLIED = "applied", _("申请验收")
    ACCEPTED = "accepted", _("验收通过")
    CLOSED = "closed", _("已销号")
    VOIDED = "voided", _("已作废")


OPEN_STATUSES = (Status.REGISTERED, Status.ASSESSED, Status.PLANNED, Status.RECTIFYING, Status.APPLIED)
# A hazard is "overdue" while the duty to act is still the responsible party's.
OVERDUE_STATUSES = (Status.REGISTERED, Status.ASSESSED, Status.PLANNED, Status.RECTIFYING)
DONE_STATUSES = (Status.ACCEPTED, Status.CLOSED)
FROZEN_STATUSES = (Status.ACCEPTED, Status.CLOSED, Status.VOIDED)
# The plan (五到位 / 治理方案) may change until rectification starts; afterwards only by 延期.
PLAN_EDITABLE = (Status.REGISTERED, Status.ASSESSED, Status.PLANNED)
# Before 确定整改方案 the plan's deadline is a draft and becomes the hazard's deadline; after it, only 延期.
PLAN_DRAFT = (Status.REGISTERED, Status.ASSESSED)


class SupervisionLevel(models.TextChoices):
    PROVINCE = "province", _("省级挂牌督办")
    CITY = "city", _("市级挂牌督办")
    COUNTY = "county", _("县级挂牌督办")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class AttachmentRole(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")
    DOCUMENT = "document", _("文件")
