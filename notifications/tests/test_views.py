from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from notifications.context_processors import unread
from notifications.models import Notification
from notifications.services import notify
from tests.openapi import assert_matches_schema


def _seed(world) -> None:  # noqa: ANN001
    notify(title="任务即将到期", kind="reminder", url="/escalation/", users=[world.users["office"]])
    notify(title="隐患逾期", kind="overdue", users=[world.users["office"]])
    notify(title="别人的消息", users=[world.users["regulator"]])


def test_inbox_lists_own_unread_first_and_filters(client, world, django_assert_max_num_queries) -> None:  # noqa: ANN001
    _seed(world)
    for i in range(40):
        notify(title=f"批量{i}", users=[world.users["office"]])
    client.force_login(world.users["office"])
    # 11: one more than the page needs, for the unread badge in base.html.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("notifications:inbox"))
    titles = [n.title for n in response.context["objects"]]
    assert "别人的消息" not in titles and len(titles) == 30
    assert response.context["unread"] == 42
    response = client.get(reverse("notifications:inbox") + "?kind=reminder")
    assert [n.title for n in response.context["objects"]] == ["任务即将到期"]


def test_open_marks_read_and_redirects(client, world) -> None:  # noqa: ANN001
    _seed(world)
    n = Notification.objects.get(title="任务即将到期")
    client.force_login(world.users["office"])
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/escalation/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_others_notification_is_404(client, world) -> None:  # noqa: ANN001
    _seed(world)
    theirs = Notification.objects.get(title="别人的消息")
    client.force_login(world.users["office"])
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = client.post("/api/v1/notifications/mark-read/", {"ids": [theirs.pk]}, content_type="application/json")
    assert response.json()["marked"] == 0


def test_mark_all_read(client, world) -> None:  # noqa: ANN001
    _seed(world)
    client.force_login(world.users["office"])
    client.post(reverse("notifications:mark_read"), {"all": "1"})
    assert not Notification.objects.filter(recipient=world.users["office"], read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.users["regulator"], read_at__isnull=True).exists()


def test_api_list_and_mark_read(client, world) -> None:  # noqa: ANN001
    _seed(world)
    client.force_login(world.users["office"])
    response = client.get("/api/v1/notifications/?unread=true")
    assert response.status_code == 200
    assert_matches_schema(response, "get")
    assert {n["title"] for n in response.json()["results"]} == {"任务即将到期", "隐患逾期"}
    first = response.json()["results"][0]["id"]
    response = client.post("/api/v1/notifications/mark-read/", {"ids": [first]}, content_type="application/json")
    assert_matches_schema(response, "post")
    assert response.json() == {"marked": 1, "unread": 1}


def test_context_processor_is_lazy_and_counts(world, django_assert_num_queries) -> None:  # noqa: ANN001
    _seed(world)
    request = RequestFactory().get("/")
    request.user = world.user("office")
    with django_assert_num_queries(0):
        ctx = unread(request)
    assert int(str(ctx["notifications_unread"])) == 2
