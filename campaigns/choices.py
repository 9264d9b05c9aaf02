from django.db import models
from django.utils.translation import gettext_lazy as _

MASTER_CODE = "master"  # the seed's internal code of its 总方案: never shown (``Plan.display_code``)


class PlanKind(models.TextChoices):
    MASTER = "master", _("总方案")
    THEMATIC = "thematic", _("专题")
    DOMAIN = "domain", _("行业领域")


class CampaignStage(models.TextChoices):
    """The campaign's lifecycle (``campaigns.lifecycle.TRANSITIONS``)."""

    PREPARE = "prepare", _("筹备")
    RUNNING = "running", _("实施")
    SUMMARY = "summary", _("总结")
    ARCHIVED = "archived", _("归档")


class StageAction(models.TextChoices):
    START = "start", _("启动实施")
    CLOSE = "close", _("转入总结")
    REOPEN = "reopen", _("恢复实施")
    ARCHIVE = "archive", _("归档")


# A campaign in one of these stages is closed: no reminders, no escalation of its tasks.
CLOSED_STAGES = (CampaignStage.SUMMARY, CampaignStage.ARCHIVED)


class PhaseKind(models.TextChoices):
    MOBILIZE = "mobilize", _("动员部署")
    RECTIFY = "rectify", _("排查整治")
    TACKLE = "tackle", _("集中攻坚")
    CONSOLIDATE = "consolidate", _("巩固提升")
    OTHER = "other", _("其他")


class ReportInterval(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half", _("每半年")
    YEARLY = "yearly", _("每年")


class UnitRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    COOP = "coop", _("配合")
    IMPLEMENTING = "implementing", _("实施")


def unit_role_order(field: str = "role") -> models.Case:
    """Order by 分工 as the documents list it (牵头, 配合, 实施): the stored codes sort 牵头 last."""
    return models.Case(*(models.When(**{field: role}, then=models.Value(i)) for i, role in enumerate(UnitRole.values)),
                       default=models.Value(len(UnitRole.values)))


class AssignmentSource(models.TextChoices):
    TEXT = "text", _("原文所列")
    EXPANDED = "expanded", _("由集合称谓展开")
    PLAN = "plan", _("沿用方案分工")
    MANUAL = "manual", _("手工添加")


class TaskSource(models.TextChoices):
    PLAN = "plan", _("方案任务")
    TABLE = "table", _("整治任务清单")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("限期完成")
    RECURRING = "recurring", _("长期坚持")
    RELATIVE = "relative", _("事件后限期")
    IMMEDIATE = "immediate", _("即时")
    PENDING = "pending", _("待定")
    DONE = "done", _("已落实")
    NONE = "none", _("未规定")


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half", _("每半年")
    YEARLY = "yearly", _("每年")


class MilestoneKind(models.TextChoices):
    STAGE = "stage", _("阶段节点")
    OCCURRENCE = "occurrence", _("周期节点")
    RELATIVE = "relative", _("事件后限期")


class DutyCycle(models.TextChoices):
    """How often a reporting duty falls due; ``once`` is a single date."""

    ONCE = "once", _("一次")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half", _("每半年")
    YEARLY = "yearly", _("每年")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    WITHDRAWN = "withdrawn", _("撤销")


# A task in one of these states needs no more work: never overdue, reminded or escalated.
CLOSED_TASK_STATES = (TaskStatus.DONE, TaskStatus.WITHDRAWN)


class PartStatus(models.TextChoices):
    """One unit's part in a task (``TaskUnit``): moved only by the office accepting that unit's reports."""

    OPEN = "open", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


# The roles whose parts decide when a shared task is done (配合 units report and are reviewed on their own,
# but a task is not held open by them unless it names only 配合 units).
DECIDING_ROLES = ("lead", "implementing")


class ReportedStatus(models.TextChoices):
    """What a unit says about its task in a progress report."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    BLOCKED = "blocked", _("遇到困难")
    DONE = "done", _("已完成")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("报送")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("采纳")


class Comparison(models.TextChoices):
    GE = "ge", "≥"
    LE = "le", "≤"
    EQ = "eq", "="


class IndicatorStatus(models.TextChoices):
    ON_TRACK = "on_track", _("达标")
    AT_RISK = "at_risk", _("有风险")
    MISSED = "missed", _("未达标")
    NO_DATA = "no_data", _("未报送")


class ListKind(models.TextChoices):
    PROBLEM = "problem", _("问题隐患清单")
    MEASURE = "measure", _("制度措施清单")


class ListItemStatus(models.TextChoices):
    OPEN = "open", _("未整改")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已完成")
