"""Vocabularies of the credit module (labels in Chinese; the rule that uses them is ``credit.rules``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    OVERDUE_MAJOR = "overdue_major", _("重大事故隐患逾期未整改")
    ACCIDENT = "accident", _("生产安全事故")
    CONFIRMED_TIP = "confirmed_tip", _("举报查实")
    OBSTRUCTION = "obstruction", _("拒绝、阻碍监督检查")
    STANDARDIZATION = "standardization", _("安全生产标准化达标")
    NO_ACCIDENT = "no_accident", _("连续三年无生产安全事故")


# Kinds an official registers by hand (the others are collected from the other apps' records).
MANUAL_KINDS = (EventKind.OBSTRUCTION, EventKind.STANDARDIZATION)


class StandardLevel(models.TextChoices):
    """安全生产标准化 grades (《企业安全生产标准化建设定级办法》, 应急〔2021〕83号 [M])."""

    ONE = "1", _("一级")
    TWO = "2", _("二级")
    THREE = "3", _("三级")


class CreditClass(models.TextChoices):
    """The credit class; A is the best (the opposite order of the 分类分级 class, stated on every page)."""

    A = "a", _("A级（守信）")
    B = "b", _("B级（一般）")
    C = "c", _("C级（较差）")
    D = "d", _("D级（严重失信）")


class BlacklistStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟列入")
    LISTED = "listed", _("已列入")
    DROPPED = "dropped", _("不予列入")
    REMOVED = "removed", _("已移出")


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申请")
    APPROVED = "approved", _("已同意修复")
    REJECTED = "rejected", _("不予修复")
