from django.urls import path

from enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.home, name="home"),
]
