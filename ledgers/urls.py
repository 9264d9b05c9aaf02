from django.urls import path

from ledgers import views, views_custom

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("expiring/", views.expiring, name="expiring"),
    path("zero-out/", views.zero_out, name="zero_out"),
    path("permits/<int:pk>/transition/", views.permit_transition, name="permit_transition"),
    path("public/commitments/<int:pk>/<int:year>/", views.commitment_public, name="commitment_public"),
    path("custom/", views_custom.definition_list, name="custom_list"),
    path("custom/new/", views_custom.definition_edit, name="custom_define"),
    path("custom/<int:pk>/edit/", views_custom.definition_edit, name="custom_edit"),
    path("custom/<int:pk>/", views_custom.row_list, name="custom_rows"),
    path("custom/<int:pk>/new/", views_custom.row_edit, name="custom_row_new"),
    path("custom/<int:pk>/rows/<int:row_pk>/", views_custom.row_edit, name="custom_row_edit"),
    path("custom/<int:pk>/template.xlsx", views_custom.import_template, name="custom_template"),
    path("custom/<int:pk>/import/", views_custom.import_rows, name="custom_import"),
    path("<slug:key>/", views.ledger_list, name="list"),
    path("<slug:key>/new/", views.row_create, name="create"),
    path("<slug:key>/import/", views.import_rows, name="import"),
    path("<slug:key>/import/template.xlsx", views.import_template, name="import_template"),
    path("<slug:key>/<int:pk>/", views.row_detail, name="detail"),
    path("<slug:key>/<int:pk>/edit/", views.row_edit, name="edit"),
]
