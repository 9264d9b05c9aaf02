from django.urls import path

from enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("inspectors/", views.inspectors, name="inspectors"),
    path("inspectors/new/", views.inspector_new, name="inspector_new"),
    path("inspectors/<int:pk>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("directory/", views.directory, name="directory"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/template.xlsx", views.plan_template, name="plan_template"),
    path("plans/derive/", views.plan_derive, name="plan_derive"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("draws/", views.DrawListView.as_view(), name="draws"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/<int:pk>/", views.draw_detail, name="draw"),
    path("draws/<int:pk>/execute/", views.draw_execute, name="draw_execute"),
    path("draws/<int:pk>/cancel/", views.draw_cancel, name="draw_cancel"),
    path("draws/<int:pk>/package.zip", views.draw_package, name="draw_package"),
    path("inspections/", views.InspectionListView.as_view(), name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/move/<str:action>/", views.inspection_move, name="inspection_move"),
    path("inspections/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("inspections/<int:pk>/documents/<str:kind>.docx", views.document_docx, name="document"),
    path("public/", views.public, name="public"),
    path("public/draws/<int:pk>/", views.public_draw, name="public_draw"),
    path("public/draws/<int:pk>/package.zip", views.public_draw_package, name="public_draw_package"),
]
