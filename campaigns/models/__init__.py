from campaigns.models.campaign import Campaign, Phase, Plan, PlanType, PlanUnit
from campaigns.models.goal import Goal, GoalReading
from campaigns.models.lists import ListItem
from campaigns.models.milestones import Milestone, ReportingDuty
from campaigns.models.task import ProgressEvent, ProgressReport, Task, TaskUnit

__all__ = ["Campaign", "Goal", "GoalReading", "ListItem", "Milestone", "Phase", "Plan", "PlanType", "PlanUnit",
           "ProgressEvent", "ProgressReport", "ReportingDuty", "Task", "TaskUnit"]

from core.registry import register_path_model  # noqa: E402

register_path_model(Campaign)
register_path_model(Task)
register_path_model(ListItem)
register_path_model(Milestone)
