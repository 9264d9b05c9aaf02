from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/licences/new/", views.licence_edit, name="licence_create"),
    path("<int:pk>/licences/<int:licence_pk>/", views.licence_edit, name="licence_edit"),
    path("import/", views.enterprise_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
