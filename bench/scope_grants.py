"""The enterprise list at province scale, per kind of viewer, with and without explicit grants (issue 10, item 4).

Usage (PostgreSQL; the database is created and migrated if missing, then filled once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_rows_bench .venv/bin/python bench/scope_grants.py --n 1000000

Rows are bulk-inserted directly (benchmark data, not business writes: no change log; the pinyin search key is
left as the lower-cased name to keep the fill quick). Prints medians of 5 for the count and the first list
page (50 by name) of ``Enterprise.objects.visible_to`` and of one enterprise-row list (licences), plus the plans.
On a tree without grants (the commit before them) the grant rows are skipped, so the same script gives the
"before" figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

from bench.common import migrated_world, timed  # noqa: E402


def fill(n: int) -> None:
    from django.db import connection

    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain, Licence
    from orgs.models import Domain, Jurisdiction

    have = Enterprise.objects.count()
    if have >= n:
        return
    rng = random.Random(7)
    places = list(Jurisdiction.objects.exclude(depth=0))
    domains = list(Domain.objects.filter(kind="domain"))
    batch = 5000
    start = time.perf_counter()
    for offset in range(have, n, batch):
        ents = []
        for i in range(offset, min(offset + batch, n)):
            place = rng.choice(places)
            name = f"基准测试企业{i:07d}有限公司"
            ents.append(Enterprise(name=name, credit_code=make_credit_code(f"91430381BN{i:07d}"), jurisdiction=place,
                                   jurisdiction_path=place.path, search_text=name.lower()))
        Enterprise.objects.bulk_create(ents, batch_size=batch)
        EnterpriseDomain.objects.bulk_create(
            [EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents], batch_size=batch)
        # One licence for every tenth enterprise: an enterprise-row list to measure.
        Licence.objects.bulk_create(
            [Licence(enterprise=e, jurisdiction_path=e.jurisdiction_path, kind="safety", number=f"BN{e.pk}",
                     valid_until=dt.date(2030, 1, 1) + dt.timedelta(days=e.pk % 700)) for e in ents[::10]],
            batch_size=batch)
    print(f"inserted {n - have} enterprises in {time.perf_counter() - start:.1f}s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def add_grants(world: Any) -> bool:
    """Many grants to other people (as after years of draws), and one live grant to the inspector persona."""
    try:
        from accounts.models import ScopeGrant
    except ImportError:
        return False
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from enterprises.models import Enterprise

    if not ScopeGrant.objects.exists():
        rng = random.Random(11)
        now = timezone.now()
        other = User.objects.get(pk=world.users["regulator_fire"].pk)
        top = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first()
        ScopeGrant.objects.bulk_create(
            [ScopeGrant(user=other, object_type="enterprises.enterprise", object_id=rng.randint(1, top),
                        reason="基准", valid_from=now - dt.timedelta(days=400 - i % 365),
                        valid_until=now - dt.timedelta(days=300 - i % 365)) for i in range(20_000)], batch_size=5000)
        with connection.cursor() as cur:
            cur.execute("ANALYZE accounts_scopegrant")
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--fill-only", action="store_true")
    args = parser.parse_args()
    world = migrated_world()
    from django.db import connection

    from accounts.models import User
    from core.audit import Source, audit_context
    from enterprises.models import Enterprise, Licence

    fill(args.n)
    if args.fill_only:
        return
    with audit_context(source=Source.COMMAND):
        has_grants = add_grants(world)
    print(f"enterprises: {Enterprise.objects.count()}  licences: {Licence.objects.count()}  "
          f"database: {connection.vendor}  grants: {'yes' if has_grants else 'no (tree without grants)'}")
    for key in ["office", "township_a", "regulator", "inspector", "enterprise_a"]:
        measure(key, User.objects.get(pk=world.users[key].pk))
    if has_grants:
        from django.utils import timezone

        from accounts import grants

        inspector = User.objects.get(pk=world.users["inspector"].pk)
        # The drawn target: an enterprise outside the inspector's own scope.
        target = Enterprise.objects.exclude(pk__in=Enterprise.objects.visible_to(inspector).values("pk")).order_by(
            "pk").first()
        with audit_context(source=Source.COMMAND):
            grant = grants.grant_create(actor=None, user=inspector, obj=target, reason="基准：抽中的检查对象",
                                        valid_until=timezone.now() + dt.timedelta(days=30))
        measure("inspector+grant", User.objects.get(pk=inspector.pk))
        with audit_context(source=Source.COMMAND):
            grants.grant_revoke(actor=None, grant=grant, reason="基准结束")


def measure(label: str, user: Any) -> None:
    from django.db import connection

    from enterprises.models import Enterprise, Licence

    for model in (Enterprise, Licence):
        qs = model.objects.visible_to(user)
        page = qs.order_by("name", "pk") if model is Enterprise else qs.order_by("valid_until", "pk")
        n = qs.count()
        count_ms = timed(qs.count)
        page_ms = timed(lambda page=page: list(page[:50]))
        print(f"{label:<16} {model.__name__:<10} visible={n:>8}  count {count_ms:8.1f} ms  "
              f"first page {page_ms:8.1f} ms", flush=True)
        if connection.vendor == "postgresql" and model is Enterprise and label in ("township_a", "inspector+grant"):
            with connection.cursor() as cur:
                sql, params = page[:50].query.sql_with_params()
                cur.execute("EXPLAIN " + sql, params)
                for (line,) in cur.fetchall()[:14]:
                    print("    " + line)

if __name__ == "__main__":
    main()
