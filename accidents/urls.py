from django.urls import path

from accidents import views

app_name = "accidents"
urlpatterns = [
    path("", views.AccidentListView.as_view(), name="list"),
    path("new/", views.accident_new, name="create"),
    path("figures/", views.figures, name="figures"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin.docx", views.bulletin_docx, name="bulletin_docx"),
    path("import/", views.accident_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.accident_detail, name="detail"),
    path("<int:pk>/edit/", views.accident_edit, name="edit"),
    path("<int:pk>/revise/", views.accident_revise, name="revise"),
    path("<int:pk>/move/<str:action>/", views.accident_move, name="move"),
    path("<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("<int:pk>/attach/", views.accident_attach, name="attach"),
    path("<int:pk>/lookback/", views.lookback, name="lookback"),
]
