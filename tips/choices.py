from django.db import models
from django.utils.translation import gettext_lazy as _


class TipKind(models.TextChoices):
    HAZARD = "hazard", _("事故隐患")
    ILLEGAL = "illegal", _("非法违法生产经营建设")
    OTHER = "other", _("其他安全生产违法行为")


class TipStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    ASSIGNED = "assigned", _("已分办")
    FORWARDED = "forwarded", _("已移送")
    DISMISSED = "dismissed", _("不予受理")
    VERIFIED = "verified", _("已核查")
    REPLIED = "replied", _("已答复")
    REWARD_PROPOSED = "proposed", _("拟奖励")
    REWARD_APPROVED = "approved", _("奖励已批准")
    PAID = "paid", _("奖励已发放")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (TipStatus.RECEIVED, TipStatus.ASSIGNED, TipStatus.VERIFIED)
# What the reporter sees of each state: the public wording hides who holds the tip internally.
PUBLIC_LABELS = {
    TipStatus.RECEIVED: _("已收到，等待受理"),
    TipStatus.ASSIGNED: _("已受理，正在核查"),
    TipStatus.FORWARDED: _("已移送有管辖权的部门处理"),
    TipStatus.DISMISSED: _("不予受理"),
    TipStatus.VERIFIED: _("已核查，等待答复"),
    TipStatus.REPLIED: _("已答复"),
    TipStatus.REWARD_PROPOSED: _("已答复"),
    TipStatus.REWARD_APPROVED: _("已答复，奖励已批准"),
    TipStatus.PAID: _("已答复，奖励已发放"),
    TipStatus.CLOSED: _("已办结"),
}


class RewardGrade(models.TextChoices):
    """The grade a reward band applies to: the hazard the tip became, or none."""

    ANY = "", _("不限")
    GENERAL = "general", _("一般事故隐患")
    MAJOR = "major", _("重大事故隐患")


class ExposureKind(models.TextChoices):
    TIP = "tip", _("举报查处典型案例")
    CASE = "case", _("执法典型案例")
