"""The major-hazard board is paged: a province's open major hazards are tens of thousands."""

from __future__ import annotations

import pytest

from core.audit import Source, audit_context
from hazards.choices import Grade
from hazards.tests.factories import enterprise_hazard
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_the_board_pages_and_says_how_many(client, world: World, monkeypatch) -> None:
    from django.core import paginator

    with audit_context(source=Source.COMMAND):
        for _ in range(3):
            enterprise_hazard(world, grade=Grade.MAJOR)
    import hazards.views.lists as lists

    real = lists.page_of
    monkeypatch.setattr(lists, "page_of", lambda qs, per_page, number, **kw: real(qs, 2, number, **kw))
    client.force_login(world.user("office"))
    first = client.get("/hazards/board/")
    body = first.content.decode()
    assert "未销号的重大事故隐患 3 项" in body  # from the maintained counts
    assert body.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 2
    assert "?page=2" in body
    second = client.get("/hazards/board/", {"page": "2"}).content.decode()
    assert second.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 1
    assert isinstance(first.context["page"].paginator, paginator.Paginator)
