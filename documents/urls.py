from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.type_list, name="list"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/activate/", views.version_activate, name="version_activate"),
    path("versions/<int:pk>/template.docx", views.version_download, name="version_download"),
    path("versions/<int:pk>/preview.docx", views.version_preview, name="version_preview"),
    path("<slug:key>/", views.type_detail, name="type"),
    path("<slug:key>/reset/", views.type_reset, name="type_reset"),
    path("<slug:key>/template.docx", views.template_download, name="template_download"),
    path("<slug:key>/default.docx", views.default_download, name="default_download"),
]
