from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.EventListView.as_view(), name="events"),
    path("verify/", views.verify_view, name="verify"),
    path("checkpoint/", views.checkpoint_export_view, name="checkpoint"),
]
