from django.urls import path

from tips import public, views

app_name = "tips"
urlpatterns = [
    path("", views.TipListView.as_view(), name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move/<str:action>/", views.move, name="move"),
    path("<int:pk>/identity/", views.identity, name="identity"),
    path("<int:pk>/hazard/", views.hazard, name="hazard"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/inspection/", views.inspection, name="inspection"),
    path("<int:pk>/case/", views.case, name="case"),
    path("rewards/", views.rewards, name="rewards"),
    path("exposure/", views.exposure_list, name="exposure"),
    path("exposure/<int:pk>/withdraw/", views.exposure_withdraw, name="exposure_withdraw"),
    path("posters/", views.posters, name="posters"),
    path("posters/<str:kind>/<int:pk>/", views.poster, name="poster"),
    # Public, no account:
    path("report/", public.report, name="report"),
    path("track/", public.track, name="track"),
    path("board/", public.board, name="board"),
]
