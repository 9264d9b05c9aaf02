from django.urls import path

from credit import views

app_name = "credit"

urlpatterns = [
    path("", views.CreditListView.as_view(), name="list"),
    path("enterprise/<int:pk>/", views.enterprise_credit, name="enterprise"),
    path("enterprise/<int:pk>/events/", views.event_register, name="event_register"),
    path("enterprise/<int:pk>/blacklist/", views.blacklist_propose, name="blacklist_propose"),
    path("enterprise/<int:pk>/repair/", views.repair_apply, name="repair_apply"),
    path("enterprise/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/revoke/", views.event_revoke, name="event_revoke"),
    path("blacklist/", views.BlacklistListView.as_view(), name="blacklist"),
    path("blacklist/joint.xlsx", views.joint_export, name="joint_export"),
    path("blacklist/<int:pk>/", views.blacklist_detail, name="blacklist_detail"),
    path("blacklist/<int:pk>/move/<str:action>/", views.blacklist_move, name="blacklist_move"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/move/<str:action>/", views.repair_move, name="repair_move"),
]
