"""Choices of the checks app (隐患排查): kinds of checklist, item types, frequencies, run states and outcomes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    NATIONAL = "national", _("国家判定标准")
    SEED = "seed", _("专项整治检查表")
    PUBLISHED = "published", _("部门发布检查表")
    ENTERPRISE = "enterprise", _("企业检查表")
    RISK = "risk", _("风险管控措施检查表")


class Evidence(models.TextChoices):
    """How sure the item's text and clause are (checks/data/README.md)."""

    VERBATIM = "V", _("原文（已核对）")
    MIRROR = "V*", _("原文（转载来源）")
    SUMMARY = "M", _("摘要（待核原文）")
    OWN = "", _("发布单位自定")


class ItemType(models.TextChoices):
    YES_NO = "yes_no", _("是否符合")
    VALUE = "value", _("测量值")


class Frequency(models.TextChoices):
    SHIFT = "shift", _("每班")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    BEFORE_HOLIDAY = "holiday", _("节假日前")
    BEFORE_RESUME = "resume", _("复工复产前")
    ONCE = "once", _("一次性专项检查")


# Frequencies that repeat on the calendar (the nightly job generates their due checks); the others are due once,
# on the plan's own date (a holiday, resuming work, a campaign's special check).
PERIODIC = (Frequency.SHIFT, Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY)
SHIFTS_PER_DAY = 3  # 一班三检 / three shifts a day when a plan says "every shift"


class CheckerLevel(models.TextChoices):
    """Who checks: the level the control measure is held at (risk.ControlLevel), plus 部门 and government."""

    COMPANY = "company", _("企业（公司级）")
    DEPARTMENT = "department", _("部门级")
    WORKSHOP = "workshop", _("车间级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")
    GOVERNMENT = "government", _("政府检查")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交")


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class Disposal(models.TextChoices):
    """What became of a failed item: exactly one of the two."""

    HAZARD = "hazard", _("登记为隐患")
    ON_SPOT = "on_spot", _("立查立改")


class PremisesKind(models.TextChoices):
    SHOP_HOME = "shop_home", _("下店上宅/前店后宅门店")
    NINE_SMALL = "nine_small", _("九小场所")
    ENTERTAINMENT = "entertainment", _("网吧/娱乐场所")
    RESTAURANT = "restaurant", _("餐饮/农家乐")
    OTHER = "other", _("其他场所")
