from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("reviews/", views.reviews, name="reviews"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/phases/", views.phases, name="phases"),
    path("<int:pk>/plans/new/", views.plan_edit, name="plan_create"),
    path("<int:pk>/plans/<int:plan_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/tasks/", views.TaskListView.as_view(), name="tasks"),
    path("<int:pk>/tasks/new/", views.task_edit, name="task_create"),
    path("<int:pk>/tasks/<int:task_pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/import/", views.table_import, name="table_import"),
    path("<int:pk>/lists/", views.lists, name="lists"),
    path("<int:pk>/lists/new/", views.list_item_edit, name="list_item_create"),
    path("<int:pk>/lists/<int:item_pk>/", views.list_item_edit, name="list_item_edit"),
    path("<int:pk>/indicators/", views.indicators, name="indicators"),
    path("<int:pk>/report/", views.report_page, name="report"),
    path("<int:pk>/report.<str:fmt>", views.report_download, name="report_download"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/table.xlsx", views.table_export, name="table_export"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("progress/<int:pk>/review/", views.report_review, name="report_review"),
    path("goals/<int:pk>/", views.goal_detail, name="goal"),
    path("<int:pk>/requirements/", views.requirements, name="requirements"),
    path("milestones/<int:pk>/meet/", views.milestone_meet, name="milestone_meet"),
    path("milestones/<int:pk>/event/", views.milestone_event, name="milestone_event"),
]
