"""Lists never count a whole scope: pages and the API count at most ANZHI_COUNT_CAP + 1 rows, in the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.paging import CappedPaginator
from tests.openapi import assert_matches_schema
from tests.personas import World


def test_below_the_cap_the_count_is_exact_and_above_it_stops(settings, world: World) -> None:
    from enterprises.models import Enterprise

    rows = Enterprise.objects.order_by("pk")
    settings.ANZHI_COUNT_CAP = 10
    exact = CappedPaginator(rows, 2)
    assert (exact.count, exact.capped, exact.num_pages) == (5, False, 3)
    settings.ANZHI_COUNT_CAP = 3
    capped = CappedPaginator(rows, 2)
    with CaptureQueriesContext(connection) as ctx:
        assert (capped.count, capped.capped, capped.num_pages) == (4, True, 2)
    [count_sql] = [q["sql"] for q in ctx.captured_queries]
    assert "COUNT(" in count_sql.upper() and "LIMIT 4" in count_sql.upper(), count_sql
    # Not in the list's order: which cap + 1 rows are counted does not matter, and a sort (or a walk down the order's
    # index) over the whole scope is what made a township's count cost 60 times its index-only scan.
    assert "ORDER BY" not in count_sql.upper(), count_sql
    assert [e.pk for e in capped.page(2)] == list(rows.values_list("pk", flat=True)[2:4])
    last = CappedPaginator(rows, 3).page(2)  # counted 4: the page still holds every row that is there
    assert len(last) == 2 and not last.has_next()
    assert CappedPaginator(list(range(7)), 2).count == 4 and CappedPaginator([1, 2], 2).capped is False


def _whole_county() -> dict[str, str]:
    """A filter that keeps every row of the office's scope (the county itself), so the list is counted."""
    from orgs.models import Jurisdiction

    return {"jurisdiction": str(Jurisdiction.objects.get(code="430381").pk)}


@pytest.mark.parametrize(("cap", "shown"), [(10, "共 5 家"), (3, "超过 3 条")])
def test_a_list_page_says_when_it_stopped_counting(settings, client: Client, world: World, cap: int, shown: str) -> None:
    settings.ANZHI_COUNT_CAP = cap
    client.force_login(world.user("office"))
    page = client.get("/enterprises/", _whole_county()).content.decode()
    assert shown in page


@pytest.mark.parametrize(("cap", "shown"), [(10, "共 5 家"), (3, "共 5 条，请用筛选缩小范围")])
def test_an_unfiltered_list_says_its_total_from_the_maintained_counts(settings, client: Client, world: World,
                                                                      cap: int, shown: str) -> None:
    """The whole scope's size is known without counting (EnterpriseTally): no count runs, the page says the total."""
    settings.ANZHI_COUNT_CAP = cap
    client.force_login(world.user("office"))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/enterprises/", {"sort": "-name", "page": "1"}).content.decode()
    assert shown in page
    assert not [q["sql"] for q in ctx.captured_queries if 'COUNT(' in q["sql"].upper()
                and '"enterprises_enterprise"' in q["sql"].split("FROM", 1)[1][:60]], "the enterprises were counted"


def test_the_api_reports_a_capped_count(settings, client: Client, world: World) -> None:
    client.force_login(world.user("office"))
    settings.ANZHI_COUNT_CAP = 3
    capped = client.get("/api/v1/enterprises/", _whole_county())
    assert_matches_schema(capped)
    body = capped.json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 5), "the page is not cut"
    assert body["total"] is None
    settings.ANZHI_COUNT_CAP = 10
    exact = client.get("/api/v1/enterprises/", _whole_county())
    assert_matches_schema(exact)
    assert (exact.json()["count"], exact.json()["count_capped"]) == (5, False)
    settings.ANZHI_COUNT_CAP = 3
    whole = client.get("/api/v1/enterprises/", {"page_size": "50"})  # not filtered: the total is known
    assert_matches_schema(whole)
    assert (whole.json()["count"], whole.json()["count_capped"], whole.json()["total"]) == (3, True, 5)


def test_no_list_pages_with_an_uncapped_paginator() -> None:
    """Every list goes through core.paging: Django's Paginator counts the whole scope."""
    import ast
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    root = Path(settings.BASE_DIR)
    offenders = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if root not in path.parents or "site-packages" in path.parts:
            continue
        for file in path.rglob("*.py"):
            if "tests" in file.parts or file.name == "paging.py":
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "django.core.paginator":
                    offenders.append(str(file.relative_to(root)))
    assert not offenders, f"use core.paging.page_of, not django.core.paginator: {offenders}"


def test_a_count_that_takes_too_long_is_given_up(settings, world: World) -> None:
    """On PostgreSQL a count past ``ANZHI_COUNT_MS`` stops: the paginator says it did not finish (cap + 1, capped,
    ``uncounted``), the connection goes on working, the limit does not outlive the count, and the page says so.
    Counted from a thread of its own, in autocommit as a request is (inside a transaction there is no limit)."""
    if connection.vendor != "postgresql":
        pytest.skip("the time limit is PostgreSQL's statement_timeout")
    import threading

    from django.db import connection as thread_connection
    from django.db.models.expressions import RawSQL
    from django.template.loader import render_to_string

    from enterprises.models import Enterprise

    settings.ANZHI_COUNT_CAP, settings.ANZHI_COUNT_MS = 10, 50
    seen: dict[str, object] = {}

    def count() -> None:
        try:
            slow = Enterprise.objects.filter(pk__in=RawSQL("SELECT 1 FROM pg_sleep(0.3)", []))
            paginator = CappedPaginator(slow.order_by("pk"), 2)
            seen["slow"] = (paginator.count, paginator.capped, paginator.uncounted)
            seen["text"] = render_to_string("_count_capped.html", {"page": paginator.page(1)})
            with thread_connection.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                seen["timeout"] = cursor.fetchone()[0]
            quick = CappedPaginator(Enterprise.objects.order_by("pk"), 2)
            seen["quick"] = (quick.count, quick.capped, quick.uncounted)
            seen["direct"] = Enterprise.objects.count()
        finally:
            thread_connection.close()

    worker = threading.Thread(target=count)
    worker.start()
    worker.join()
    assert seen["slow"] == (11, True, True)
    assert seen["timeout"] == "0" and seen["quick"] == (seen["direct"], False, False)
    assert "未在限定时间内数完" in str(seen["text"])
    assert CappedPaginator(Enterprise.objects.order_by("pk"), 2).uncounted is False  # in a transaction: no limit


def test_a_word_search_counts_to_its_own_lower_cap(settings, client: Client, world: World) -> None:
    """A search's matches are counted to ANZHI_SEARCH_COUNT_CAP, the same list filtered otherwise to ANZHI_COUNT_CAP."""
    settings.ANZHI_COUNT_CAP, settings.ANZHI_SEARCH_COUNT_CAP = 10, 3
    client.force_login(world.user("office"))
    searched = client.get("/api/v1/enterprises/", {"q": "有限"})
    assert_matches_schema(searched)
    assert searched.json()["count_capped"] and searched.json()["count"] == 3
    assert "超过 3 条" in client.get("/enterprises/", {"q": "有限"}).content.decode()
    assert client.get("/api/v1/enterprises/", _whole_county()).json()["count"] == 5
