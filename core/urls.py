from django.urls import path

from core import files, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("files/<int:pk>/", files.download, name="file"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
]
