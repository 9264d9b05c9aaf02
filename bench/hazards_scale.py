"""Hazard figures and lists at scale, for each kind of viewer.

Usage (PostgreSQL; the database is created and migrated if missing, then filled once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi_bench .venv/bin/python bench/hazards_scale.py --n 1000000

Rows are bulk-inserted directly against the enterprises of bench/scope_enterprises.py (run that first);
benchmark data, not business writes, so the maintained counts are rebuilt after (``hazards.tally.rebuild``).
Prints medians of 5 for the figures (整改率, 按期整改率, 超期数, 重大隐患数) counted directly (one aggregate over
the scope) and from the maintained counts (``figures_for``, checked equal), the overdue count and the first list
page, plus the plans of two queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

from bench.common import timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from enterprises.models import Enterprise, EnterpriseDomain
    from hazards.choices import OVERDUE_STATUSES, Grade, Source, Status
    from hazards.models import Hazard
    from hazards.selectors import figures, figures_for
    from tests.personas import USERS

    have = Hazard.objects.count()
    if have < args.n:
        rng = random.Random(11)
        ents = list(Enterprise.objects.values_list("pk", "jurisdiction_id", "jurisdiction_path"))
        domain_of = dict(EnterpriseDomain.objects.values_list("enterprise_id", "domain_id"))
        statuses = [Status.REGISTERED, Status.RECTIFYING, Status.RECTIFYING, Status.APPLIED, Status.CLOSED,
                    Status.CLOSED, Status.CLOSED, Status.CLOSED]
        today = timezone.localdate()
        start = time.perf_counter()
        batch = 10_000
        for offset in range(have, args.n, batch):
            rows = []
            for _ in range(offset, min(offset + batch, args.n)):
                pk, jid, path = rng.choice(ents)
                status = rng.choice(statuses)
                deadline = today + dt.timedelta(days=rng.randint(-60, 60))
                rows.append(Hazard(enterprise_id=pk, jurisdiction_id=jid, jurisdiction_path=path,
                                   domain_id=domain_of.get(pk, 1), source=Source.SELF_CHECK, description="基准测试隐患",
                                   grade=Grade.MAJOR if rng.random() < 0.02 else Grade.GENERAL, status=status,
                                   original_deadline=deadline, deadline=deadline,
                                   rectified_on=deadline if status == Status.CLOSED else None))
            Hazard.objects.bulk_create(rows, batch_size=batch)
        print(f"inserted {args.n - have} hazards in {time.perf_counter() - start:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE hazards_hazard")
    from hazards.models import HazardTally
    from hazards.tally import rebuild

    if args.n and not HazardTally.objects.exists():
        # Rows inserted in bulk bypass the services: recount the maintained figures (rebuild_hazard_tallies).
        start = time.perf_counter()
        rows = rebuild()
        print(f"rebuilt hazard tallies: {rows} rows in {time.perf_counter() - start:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE hazards_hazardtally")
            cur.execute("ANALYZE hazards_hazarddue")
    print(f"hazards: {Hazard.objects.count()}  database: {connection.vendor}")
    today = timezone.localdate()
    for key in ["office", "township_a", "regulator", "regulator_fire", "enterprise_a"]:
        if key not in USERS:
            continue
        user = User.objects.get(username=key)
        qs = Hazard.objects.visible_to(user)
        fig = figures(qs)
        t_fig = timed(lambda qs=qs: figures(qs))
        assert figures_for(user) == fig, key  # the maintained counts equal the direct count
        t_tally = timed(lambda user=user: figures_for(user))
        overdue = qs.filter(status__in=OVERDUE_STATUSES, deadline__lt=today)
        t_over = timed(lambda overdue=overdue: overdue.count())
        page = qs.select_related("enterprise", "jurisdiction", "domain").order_by("-found_at", "-pk")
        t_page = timed(lambda page=page: list(page[:50]))
        print(f"{key:<15} visible={fig.total:>9} open={fig.open:>8} overdue={fig.overdue:>8}  "
              f"figures {t_fig:8.1f} ms  from tallies {t_tally:6.1f} ms  overdue count {t_over:8.1f} ms  "
              f"first page {t_page:7.1f} ms")
        if connection.vendor == "postgresql" and key in ("township_a", "regulator"):
            with connection.cursor() as cur:
                sql, params = page[:50].query.sql_with_params()
                cur.execute("EXPLAIN " + sql, params)
                for (line,) in cur.fetchall()[:8]:
                    print("    " + line)


if __name__ == "__main__":
    main()
