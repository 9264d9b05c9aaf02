from django.urls import path

from core import files, pickers, views
from core.imports import views as import_views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("healthz", views.health, name="health"),
    path("files/<int:pk>/", files.download, name="file"),
    path("imports/<int:pk>/", import_views.job_page, name="import_job"),
    path("pick/<slug:key>/", pickers.pick, name="pick"),
]
