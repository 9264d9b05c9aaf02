"""Scoped enterprise queries at scale: count + first list page for each kind of viewer.

Usage (PostgreSQL; the database is created and migrated if missing, then filled once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi_bench .venv/bin/python bench/scope_enterprises.py --n 200000

Rows are bulk-inserted directly (benchmark data, not business writes: no change log). Prints timings
(median of 5) and the query plans, so an index regression shows up as a plan change.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

from bench.common import migrated_world  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    world = migrated_world()
    from django.db import connection

    from accounts.models import User
    from core.pinyin import search_text
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction

    have = Enterprise.objects.count()
    if have < args.n:
        rng = random.Random(7)
        places = list(Jurisdiction.objects.exclude(depth=0))
        domains = list(Domain.objects.filter(kind="domain"))
        batch = 5000
        start = time.perf_counter()
        for offset in range(have, args.n, batch):
            ents = []
            for i in range(offset, min(offset + batch, args.n)):
                place = rng.choice(places)
                name = f"基准测试企业{i:07d}有限公司"
                ents.append(Enterprise(name=name, credit_code=make_credit_code(f"91430381BN{i:07d}"),
                                       jurisdiction=place, jurisdiction_path=place.path, search_text=search_text(name)))
            Enterprise.objects.bulk_create(ents, batch_size=batch)
            EnterpriseDomain.objects.bulk_create(
                [EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents], batch_size=batch)
        print(f"inserted {args.n - have} enterprises in {time.perf_counter() - start:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    total = Enterprise.objects.count()
    print(f"enterprises: {total}  database: {connection.vendor}")
    for key in ["office", "township_a", "regulator", "regulator_fire", "enterprise_a"]:
        user = User.objects.get(pk=world.users[key].pk)
        qs = Enterprise.objects.visible_to(user)
        page = qs.select_related("jurisdiction").prefetch_related("domains").order_by("name", "pk")
        timings_count, timings_page = [], []
        for _ in range(5):
            t = time.perf_counter()
            n = qs.count()
            timings_count.append(time.perf_counter() - t)
            t = time.perf_counter()
            list(page[:50])
            timings_page.append(time.perf_counter() - t)
        print(f"{key:<15} visible={n:>9}  count {statistics.median(timings_count) * 1000:8.1f} ms  "
              f"first page {statistics.median(timings_page) * 1000:8.1f} ms")
        if connection.vendor == "postgresql" and key in ("township_a", "regulator"):
            with connection.cursor() as cur:
                sql, params = qs.order_by("name", "pk")[:50].query.sql_with_params()
                cur.execute("EXPLAIN " + sql, params)
                for (line,) in cur.fetchall()[:12]:
                    print("    " + line)


if __name__ == "__main__":
    main()
