from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [path("", views.structure, name="structure"), path("aliases/", views.aliases, name="aliases"),
               path("boundaries/", views.boundaries, name="boundaries"),
               path("boundaries/download/", views.boundaries_download, name="boundaries_download")]
