from django.urls import path

from escalation.views import board, ladders, supervision

app_name = "escalation"
urlpatterns = [
    path("", board.board, name="board"),
    path("items/<str:source_key>/", board.items, name="items"),
    path("items/<str:source_key>/<int:object_id>/escalate/", board.escalate, name="escalate"),
    path("records/", board.records, name="records"),
    path("records/<int:pk>/decide/", board.decide, name="decide"),
    path("records/decide/", board.decide_batch, name="decide_batch"),
    path("ladders/", ladders.ladder_list, name="ladders"),
    path("ladders/new/", ladders.ladder_edit, name="ladder_create"),
    path("ladders/<int:pk>/", ladders.ladder_edit, name="ladder_edit"),
    path("supervision/", supervision.ItemListView.as_view(), name="item_list"),
    path("supervision/new/", supervision.item_create, name="item_create"),
    path("supervision/<int:pk>/", supervision.item_detail, name="item_detail"),
    path("supervision/<int:pk>/<str:action>/", supervision.item_action, name="item_action"),
]
