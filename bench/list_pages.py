"""Whole list requests (page or API, through the middleware, scoping, filters, paging and templates) against the
rows query alone, per persona, on the data of bench/scope_enterprises.py and bench/hazards_scale.py.

Usage (PostgreSQL; fill the database with those two scripts first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi_bench .venv/bin/python bench/list_pages.py
    ... --threads 8   also runs each request from 8 threads at once and prints p50/p95 under that load

Prints, for each request: the median and p95 of whole requests (ms), the rows query alone (the first page of
the same scoped, filtered, ordered queryset, as the view builds it) and their ratio, and the number of SQL
queries. The count is capped (core/paging.py, ANZHI_COUNT_CAP), which is what keeps the ratio flat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")


def _samples(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.startup import collect_static_if_needed
    from hazards.filters import HazardFilter
    from hazards.models import Hazard

    collect_static_if_needed(lambda line: None)
    print(f"database: {connection.vendor}  hazards: {Hazard.objects.count()}  count cap: "
          f"{__import__('django.conf').conf.settings.ANZHI_COUNT_CAP}")

    def rows_query(user: Any, params: dict[str, str]) -> Any:
        qs = HazardFilter(params or None, queryset=Hazard.objects.visible_to(user)).qs
        qs = qs.select_related("enterprise", "jurisdiction", "domain").order_by("-found_at", "-pk")
        return lambda: list(qs[:50])

    requests = [
        ("home page", "/", {}),
        ("hazard list page", "/hazards/", {}),
        ("hazard API list", "/api/v1/hazards/", {}),
        ("API search, no match", "/api/v1/hazards/", {"q": "平台护栏缺失"}),
        ("API search, pinyin of a company", "/api/v1/hazards/", {"q": "dscsgt"}),
        ("API page 150", "/api/v1/hazards/", {"page": "150"}),
        ("API page 150 by cursor", "/api/v1/hazards/", {"cursor": "150"}),
        ("list page 150 by cursor", "/hazards/", {"cursor": "150"}),
    ]
    print(f"{'persona':<13} {'request':<34} {'p50 ms':>8} {'p95 ms':>8} {'rows ms':>8} {'ratio':>6} {'SQL':>4}")
    for key in ["office", "township_a", "regulator", "enterprise_a"]:
        user = User.objects.get(username=key)
        client = Client()
        client.force_login(user)
        for label, url, params in requests:
            if "cursor" in params:  # follow next links from the first page to the 150th (keyset: as cheap as the first)
                params = _cursor_of(client, url, int(params["cursor"]))
                if params is None:
                    continue  # a small scope has no page 150, or pages by number
            answer = client.get(url, params)
            if answer.status_code == 404 and "page" in params:
                continue  # a small scope has no page 150
            assert answer.status_code == 200, (key, url, answer.status_code)
            statements: list[str] = []
            with connection.execute_wrapper(lambda run, sql, *rest, seen=statements: seen.append(sql) or run(sql, *rest)):
                client.get(url, params)
            whole = _samples(lambda url=url, params=params, client=client: client.get(url, params), args.repeat)
            page = params.get("page")
            rows = rows_query(user, {k: v for k, v in params.items() if k not in ("page", "cursor")})
            if url == "/":  # the home page: its rows query is the first page of the hazard list
                rows = rows_query(user, {})
            if page:
                qs_params = {k: v for k, v in params.items() if k != "page"}
                qs = HazardFilter(qs_params or None, queryset=Hazard.objects.visible_to(user)).qs.order_by(
                    "-found_at", "-pk")
                start = (int(page) - 1) * 50
                rows = lambda qs=qs, start=start: list(qs[start:start + 50])  # noqa: E731
            raw = statistics.median(_samples(rows, args.repeat))
            p50 = statistics.median(whole)
            print(f"{key:<13} {label:<34} {p50:8.1f} {_p95(whole):8.1f} {raw:8.1f} {p50 / raw:6.1f} "
                  f"{len(statements):>4}")
    if args.threads:
        _under_load(args.threads, args.repeat)


def _cursor_of(client: Any, url: str, depth: int) -> dict[str, str] | None:
    """The cursor of page ``depth``, reached by following the next links (by cursor past the count cap)."""
    import re
    from urllib.parse import parse_qs, unquote, urlsplit

    CURSOR = "cursor"  # core.paging.CURSOR (a literal, so this script also runs against a tree without keyset)
    cursor = None
    for _ in range(depth - 1):
        answer = client.get(url, {CURSOR: cursor} if cursor else {})
        if url.startswith("/api/"):
            link = answer.json()["next"]
            cursor = parse_qs(urlsplit(link).query).get(CURSOR, [None])[0] if link else None
        else:  # the 下一页 link is the last cursor link of the page (after 上一页)
            found = re.findall(r'[?&;]cursor=([^&"]+)"[^>]*>下一页', answer.content.decode())
            cursor = unquote(found[-1]) if found else None
        if cursor is None:
            return None
    return {CURSOR: cursor}


def _under_load(threads: int, repeat: int) -> None:
    """Each persona's hazard list page and API list from ``threads`` threads at once (one connection each)."""
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    users = {key: User.objects.get(username=key) for key in ["office", "township_a", "regulator", "enterprise_a"]}
    urls = ["/hazards/", "/api/v1/hazards/"]
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        client = Client()
        key = list(users)[n % len(users)]
        client.force_login(users[key])
        for i in range(repeat):
            url = urls[i % len(urls)]
            start = time.perf_counter()
            status = client.get(url).status_code
            took = (time.perf_counter() - start) * 1000
            with lock:
                times.append(took)
                if status != 200:
                    errors.append(f"{key} {url} {status}")
        connection.close()

    start = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    print(f"\n{threads} threads × {repeat} requests (list pages and API lists, four personas): "
          f"p50 {statistics.median(times):.1f} ms  p95 {_p95(times):.1f} ms  "
          f"{len(times) / wall:.1f} requests/s  errors {len(errors)}")


if __name__ == "__main__":
    main()
