from django.urls import path

from workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.years, name="years"),
    path("new/", views.year_new, name="year_new"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/edit/", views.year_edit, name="year_edit"),
    path("<int:year>/import/", views.year_import, name="year_import"),
    path("<int:year>/template.xlsx", views.year_template, name="year_template"),
    path("<int:year>/fallback/", views.year_fallback, name="year_fallback"),
]
