from django.urls import path

from checks import views

app_name = "checks"
urlpatterns = [
    path("", views.home, name="home"),
    path("lists/", views.ChecklistListView.as_view(), name="checklists"),
    path("lists/new/", views.checklist_new, name="checklist_new"),
    path("lists/template.xlsx", views.checklist_template, name="checklist_template"),
    path("lists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("lists/<int:pk>/copy/", views.checklist_copy, name="checklist_copy"),
    path("lists/<int:pk>/version/", views.checklist_version, name="checklist_version"),
    path("lists/<int:pk>/import/", views.checklist_import, name="checklist_import"),
    path("lists/<int:pk>/export.xlsx", views.checklist_export, name="checklist_export"),
    path("items/<int:pk>/verify/", views.item_verify, name="item_verify"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/toggle/", views.plan_toggle, name="plan_toggle"),
    path("enterprise/<int:pk>/sync/", views.enterprise_sync, name="enterprise_sync"),
    path("campaign/", views.campaign, name="campaign"),
    path("frequency/", views.frequency, name="frequency"),
    path("premises/", views.PremisesListView.as_view(), name="premises"),
    path("premises/new/", views.premises_new, name="premises_new"),
    path("run/new/", views.run_new, name="run_new"),
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/submit/", views.run_submit, name="run_submit"),
    path("due/", views.DueListView.as_view(), name="due"),
    path("due/<int:pk>/", views.due_detail, name="due_detail"),
    path("figures/", views.figures_page, name="figures"),
    path("sw.js", views.service_worker, name="service_worker"),
]
