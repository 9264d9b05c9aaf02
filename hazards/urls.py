from django.urls import path

from hazards import views

app_name = "hazards"
urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("new/", views.hazard_create, name="create"),
    path("figures/", views.dashboard, name="dashboard"),
    path("figures/cards/", views.figure_cards, name="figure_cards"),
    path("board/", views.board, name="board"),
    path("clearance/", views.clearance, name="clearance"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/edit/", views.hazard_edit, name="edit"),
    path("<int:pk>/plan/", views.hazard_plan, name="plan"),
    path("<int:pk>/move/", views.hazard_transition, name="transition"),
    path("<int:pk>/files/", views.hazard_attach, name="attach"),
    path("<int:pk>/supervise/", views.supervision_create, name="supervise"),
    path("supervisions/<int:pk>/record/", views.supervision_record, name="supervision_record"),
    path("supervisions/<int:pk>/sheet/", views.supervision_sheet, name="supervision_sheet"),
    path("supervisions/<int:pk>/notice/<str:kind>/", views.supervision_notice, name="supervision_notice"),
    path("bulletins/", views.circular_list, name="circulars"),
    path("bulletins/<int:pk>/", views.circular_detail, name="circular"),
    path("statistics/", views.stats_home, name="stats"),
    path("statistics/<int:pk>/", views.stats_detail, name="stats_detail"),
    path("statistics/notice/", views.stats_notice, name="stats_notice"),
]
