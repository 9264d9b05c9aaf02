"""Hazard search: by number, description, place, and the enterprise's name, pinyin or initials — within the
viewer's scope — answered on PostgreSQL from indexes (trigram for substrings), never by reading the table."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.openapi import assert_matches_schema
from tests.personas import World


def _register(client: Client, world: World, enterprise: str, description: str, place: str = "") -> dict:
    answer = client.post("/api/v1/hazards/", {"enterprise": world.enterprises[enterprise].pk, "source": "gov",
                                               "description": description, "place": place},
                         content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.fixture
def hazards(client: Client, world: World) -> dict[str, dict]:
    client.force_login(world.user("office"))
    made = {
        "rail": _register(client, world, "ent_a1", "三号高炉平台护栏缺失", place="炼铁车间"),
        "dust": _register(client, world, "ent_b1", "除尘系统泄爆口朝向人员通道", place="打磨车间"),
        "exit": _register(client, world, "ent_a2", "安全出口堵塞", place="一楼东侧"),
    }
    client.logout()
    return made


def _found(client: Client, persona: str, world: World, q: str) -> set[str]:
    client.force_login(world.user(persona))
    answer = client.get("/api/v1/hazards/", {"q": q})
    assert answer.status_code == 200
    assert_matches_schema(answer)
    return {row["description"] for row in answer.json()["results"]}


@pytest.mark.parametrize(("q", "expected"), [
    ("护栏", {"三号高炉平台护栏缺失"}),                       # description
    ("打磨车间", {"除尘系统泄爆口朝向人员通道"}),               # place
    ("测试钢铁", {"三号高炉平台护栏缺失"}),                    # enterprise name
    ("dscsgt", {"三号高炉平台护栏缺失"}),                      # enterprise initials (东山测试钢铁)
    ("车间", {"三号高炉平台护栏缺失", "除尘系统泄爆口朝向人员通道"}),
    ("无此隐患", set()),
])
def test_search_finds_by_every_key(client: Client, world: World, hazards: dict, q: str, expected: set[str]) -> None:
    assert _found(client, "office", world, q) == expected


def test_search_by_number_ignores_case(client: Client, world: World, hazards: dict) -> None:
    number = hazards["dust"]["number"]
    assert _found(client, "office", world, number.lower()) == {"除尘系统泄爆口朝向人员通道"}


def test_search_stays_in_scope(client: Client, world: World, hazards: dict) -> None:
    assert _found(client, "township_b", world, "车间") == {"除尘系统泄爆口朝向人员通道"}
    assert _found(client, "enterprise_a", world, "测试") == {"三号高炉平台护栏缺失"}
    assert _found(client, "township_b", world, hazards["rail"]["number"]) == set()


def test_postgresql_answers_search_from_indexes(world: World) -> None:
    """The enterprises a word finds are read first (their trigram index), then the hazards by one OR of indexed
    arms: number, description, place and the enterprises found."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes exist on PostgreSQL only")
    from django.test.utils import CaptureQueriesContext

    from hazards.filters import HazardFilter
    from hazards.models import Hazard

    def plan(sql: str, params: Any, *, bitmaps: bool = False) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show what it can use
            # The indexes the condition can use, rather than the walk down the list's order that a table this small
            # may prefer (either is fine; which one depends on the statistics of the moment).
            cursor.execute(f"SET LOCAL enable_indexscan = {'off' if bitmaps else 'on'}")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    # A rare word: a BitmapOr of the trigram indexes; a word every enterprise here matches: the enterprises' ids in
    # the condition, and a walk down the list's order index (never a sequential scan).
    for word, hazard_indexes in (("平台护栏", ("hazard_desc_trgm", "hazard_place_trgm")),
                                 ("测试", ("enterprise_id = ANY", "Index Scan"))):
        with CaptureQueriesContext(connection) as ctx:
            qs = HazardFilter({"q": word}, queryset=Hazard.objects.all()).qs
        [enterprises] = [q["sql"] for q in ctx.captured_queries if "enterprises_enterprise" in q["sql"]]
        assert "ent_search_trgm" in plan(enterprises, None)
        hazards = plan(*qs.query.sql_with_params(), bitmaps=word == "平台护栏")
        assert "enterprises_enterprise" not in hazards and "Seq Scan" not in hazards, hazards  # no join: ids
        for index in hazard_indexes:
            assert index in hazards, (word, hazards)


def test_a_word_many_enterprises_share_finds_the_same_by_subquery(client: Client, world: World, hazards: dict,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    by_ids = _found(client, "office", world, "测试")
    monkeypatch.setattr("hazards.filters.ENTERPRISE_IDS", 1)  # more enterprises match than may be named by id
    assert _found(client, "office", world, "测试") == by_ids and len(by_ids) > 1
