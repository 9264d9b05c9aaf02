from campaigns.views.campaign import (
    campaign_create,
    campaign_edit,
    campaign_list,
    overview,
    phases,
    plan_detail,
    plan_edit,
)
from campaigns.views.extra import (
    goal_detail,
    indicators,
    list_item_edit,
    lists,
    report_download,
    report_page,
    table_export,
    table_import,
)
from campaigns.views.lifecycle import delete, goal_edit, goal_import, plan_types, stage, table_delete
from campaigns.views.requirements import milestone_event, milestone_meet, requirements
from campaigns.views.tasks import (
    TaskListView,
    my_tasks,
    report_review,
    reviews,
    task_detail,
    task_edit,
    task_report,
)

__all__ = ["TaskListView", "campaign_create", "campaign_edit", "delete", "goal_edit", "goal_import", "plan_types",
           "stage", "table_delete", "campaign_list", "goal_detail", "indicators", "milestone_event", "milestone_meet",
           "list_item_edit", "lists", "my_tasks", "overview", "phases", "plan_detail", "plan_edit", "report_download",
           "report_page", "report_review", "requirements", "reviews", "table_export", "table_import", "task_detail",
           "task_edit",
           "task_report"]
