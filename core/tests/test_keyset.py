"""Past the count cap, lists page by keyset: following ``next`` from the first page visits every row once, in
order, and ``previous`` walks back; page numbers stay for small lists; a cursor not made here is a 400 with a
Chinese message, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from core.paging import Pagination, keyset_order, make_cursor
from hazards.models import Hazard
from hazards.tests.factories import enterprise_hazard
from hazards.views.lists import HazardListView
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world: World, settings: Any, monkeypatch: Any) -> list[int]:
    at = timezone.now() - dt.timedelta(days=1)
    for i in range(13):  # ties on found_at: the primary key decides
        enterprise_hazard(world, description=f"分页测试{i}", found_at=at - dt.timedelta(hours=i // 3))
    settings.ANZHI_COUNT_CAP = 3
    monkeypatch.setattr(Pagination, "page_size", 5)
    monkeypatch.setattr(HazardListView, "paginate_by", 5)
    return list(Hazard.objects.visible_to(world.user("office")).order_by("-found_at", "-pk").values_list("pk", flat=True))


def _api(client: Client, url: str) -> dict[str, Any]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    assert_matches_schema(answer)
    return answer.json()


def test_the_api_walks_every_row_once_by_cursor_and_back(client: Client, world: World, many: list[int]) -> None:
    client.force_login(world.user("office"))
    body = _api(client, "/api/v1/hazards/")
    assert body["count_capped"] and "cursor=" in body["next"] and body["previous"] is None
    seen = [r["id"] for r in body["results"]]
    pages = [body]
    while body["next"]:
        assert "page=" not in body["next"]
        body = _api(client, body["next"])
        seen += [r["id"] for r in body["results"]]
        pages.append(body)
    assert seen == many
    back: list[int] = []
    while body["previous"]:
        body = _api(client, body["previous"])
        back = [r["id"] for r in body["results"]] + back
    assert back == many[:10]  # back to the first row, each row once
    assert "cursor=" in pages[1]["previous"]


def test_page_numbers_stay_below_the_cap(client: Client, world: World, many: list[int], settings: Any) -> None:
    settings.ANZHI_COUNT_CAP = 1000
    client.force_login(world.user("office"))
    body = _api(client, "/api/v1/hazards/")
    assert "page=2" in body["next"] and "cursor" not in body["next"]
    assert "cursor=" not in client.get("/hazards/").content.decode()


def test_the_list_page_walks_by_cursor(client: Client, world: World, many: list[int]) -> None:
    client.force_login(world.user("office"))
    response = client.get("/hazards/")
    seen = [h.pk for h in response.context["page"].object_list]
    while (page := response.context["page"]).has_next():
        assert page.next_cursor and urlencode({"cursor": page.next_cursor}) in response.content.decode()
        response = client.get("/hazards/", {"cursor": page.next_cursor})
        assert response.status_code == 200
        seen += [h.pk for h in response.context["page"].object_list]
    # The page orders by its sort (newest first, ties by id in the same direction: ``ScopedListView``).
    listed = list(Hazard.objects.visible_to(world.user("office")).order_by("-found_at", "-pk")
                  .values_list("pk", flat=True))
    assert seen == listed
    previous = response.context["page"].previous_cursor
    assert [h.pk for h in client.get("/hazards/", {"cursor": previous}).context["page"].object_list] == \
        listed[-(len(listed) % 5 or 5) - 5:-(len(listed) % 5 or 5)]


def _hostile(world: World) -> list[str]:
    rows = Hazard.objects.order_by("-found_at", "-pk")
    order = keyset_order(rows)
    good = make_cursor(order, rows.first(), True)
    other = make_cursor(keyset_order(Hazard.objects.order_by("pk")), rows.first(), True)  # another ordering
    forged = signing.dumps({"o": ["-found_at", "-id"], "v": ["x" * 500, 2 ** 70], "f": True}, salt="other")
    bad_values = signing.dumps({"o": ["-found_at", "-id"], "v": ["不是时间", "<script>"], "f": True},
                               salt="core.paging.cursor", compress=True)
    huge = signing.dumps({"o": ["-found_at", "-id"], "v": ["2026-01-01T00:00:00", 2 ** 70], "f": True},
                         salt="core.paging.cursor", compress=True)
    return ["", "x", "=SUM(A1)", "<script>alert(1)</script>", good[:-3], good + "x", other, forged, bad_values,
            huge, "a" * 5000, "..:..", "１２３"]


def test_hostile_cursors_are_refused_in_chinese(client: Client, world: World, many: list[int]) -> None:
    client.force_login(world.user("office"))
    for token in _hostile(world):
        api = client.get("/api/v1/hazards/", {"cursor": token})
        page = client.get("/hazards/", {"cursor": token})
        if token == "":
            assert api.status_code == 200 and page.status_code == 200
            continue
        assert api.status_code in (200, 400), (token, api.status_code)
        assert page.status_code in (200, 400), (token, page.status_code)
        if api.status_code == 400:
            assert "翻页参数无效" in api.json()["cursor"][0]
    # The ones that cannot be ours, or name an id no column holds, are all refused.
    for token in _hostile(world)[1:10]:
        assert client.get("/api/v1/hazards/", {"cursor": token}).status_code == 400, token
        assert client.get("/hazards/", {"cursor": token}).status_code == 400, token


def test_an_unpageable_ordering_keeps_page_numbers() -> None:
    assert keyset_order(Hazard.objects.order_by("deadline")) is None  # nullable
    assert keyset_order(Hazard.objects.order_by("enterprise__name")) is None  # related
    assert keyset_order(Hazard.objects.order_by("?")) is None
    assert keyset_order([1, 2]) is None
    assert keyset_order(Hazard.objects.order_by("-found_at")) == [("found_at", True), ("id", True)]
    assert keyset_order(Hazard.objects.order_by("status", "pk")) == [("status", False), ("id", False)]
