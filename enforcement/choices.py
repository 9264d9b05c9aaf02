from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    """抽查类别 of a 抽查事项 (rules.md §5.3, 石泉县 list: 一般检查/重点检查)."""

    GENERAL = "general", _("一般检查")
    KEY = "key", _("重点检查")


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", _("已公示承诺")
    DRAWN = "drawn", _("已抽取")
    VOID = "voided", _("已作废")


class AttemptOutcome(models.TextChoices):
    DRAWN = "drawn", _("抽取成功")
    REFUSED = "refused", _("输入不符，未抽取")


class InspectionOrigin(models.TextChoices):
    PLAN = "plan", _("年度计划（重点检查）")
    DRAW = "draw", _("双随机抽查")
    COMPLAINT = "complaint", _("举报")
    ASSIGNED = "assigned", _("上级交办")
    SPECIAL = "special", _("专项检查")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("待检查")
    ONSITE = "onsite", _("现场检查中")
    RECORDED = "recorded", _("已记录待复查")
    CLOSED = "closed", _("已办结")


class FindingResult(models.TextChoices):
    OK = "ok", _("符合")
    HAZARD = "hazard", _("存在隐患")
    NA = "na", _("不适用")


class PlanMode(models.TextChoices):
    KEY = "key", _("重点检查")
    RANDOM = "random", _("双随机抽查")


class CaseStatus(models.TextChoices):
    """行政处罚 case (行政处罚法: 立案 → 调查 → 告知 → 陈述申辩/听证 → 决定 → 送达 → 执行 → 结案)."""

    FILED = "filed", _("已立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("已告知")
    HEARING = "hearing", _("陈述申辩/听证")
    DECIDED = "decided", _("已决定")
    SERVED = "served", _("已送达")
    EXECUTED = "executed", _("已执行")
    CLOSED = "closed", _("已结案")


class PenaltyType(models.TextChoices):
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得")
    SUSPENSION = "suspension", _("责令停产停业整顿")
    LICENCE = "licence", _("暂扣或吊销有关许可证")
    CLOSURE = "closure", _("关闭")


class CoerciveMeasure(models.TextChoices):
    """Measures a 强制措施决定书 decides (安全生产法第六十五条第一款第（三）（四）项; 行政强制法第九条)."""

    SEAL = "seal", _("查封有关场所、设施、设备")
    SEIZE = "seize", _("扣押有关设施、设备、器材")
    SUSPEND = "suspend", _("责令暂时停产停业或者停止使用相关设施、设备")
    EVACUATE = "evacuate", _("责令从危险区域内撤出作业人员")
