"""The enterprise and credit home cards at scale: counted directly over ``visible_to`` (the old way) against the
maintained counts (``EnterpriseTally`` and the stored credit class), per persona; plus the bulk tools' follow-ups
(``recompute_credit_classes``, ``rebuild_enterprise_tallies``) and whole home and cockpit requests.

Usage (PostgreSQL; the database is created and migrated if missing, then filled up to --n once; ANZHI_TESTING=1
only so that the whole requests render without collected static files):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/enttally_bench ANZHI_TESTING=1
    .venv/bin/python bench/enterprise_cards.py --n 200000
    .venv/bin/python bench/enterprise_cards.py --n 1000000 --direct-repeat 1

Rows are written by COPY (``core.bulk``; benchmark data, not business writes: no change log): enterprises in the
county's townships and villages, 70 % with one domain, 25 % two, 5 % three; 6 % with a live negative credit event
(a third of them two), 0.2 % with a standardisation grade. Each direct figure is checked equal to the maintained one.
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

from bench.common import migrated_world, timed  # noqa: E402

PERSONAS = ["office", "township_a", "regulator", "regulator_fire", "inspector", "enterprise_a"]


def fill(n: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from core.bulk import copy_rows, insert_objects
    from credit.models import CreditEvent
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction

    have = Enterprise.objects.filter(name__startswith="基准卡片企业").count()
    if have >= n:
        return
    rng = random.Random(13 + have)
    places = list(Jurisdiction.objects.exclude(depth=0))
    domains = [d.pk for d in Domain.objects.filter(kind="domain")]
    today = timezone.localdate()
    batch = 20_000
    start = time.perf_counter()
    for offset in range(have, n, batch):
        with transaction.atomic():
            ents = []
            for i in range(offset, min(offset + batch, n)):
                place = rng.choice(places)
                name = f"基准卡片企业{i:07d}有限公司"
                ents.append(Enterprise(name=name, credit_code=make_credit_code(f"91430381KP{i:07d}"),
                                       jurisdiction=place, jurisdiction_path=place.path, search_text=name))
            insert_objects(ents, batch=batch)
            links = []
            for e in ents:
                r = rng.random()
                k = 1 if r < 0.70 else 2 if r < 0.95 else 3
                links += [(e.pk, d) for d in rng.sample(domains, k)]
            copy_rows(EnterpriseDomain, ["enterprise_id", "domain_id"], links)
            events = []
            for e in ents:
                r = rng.random()
                if r < 0.06:
                    for j in range(2 if r < 0.02 else 1):
                        occurred = today - dt.timedelta(days=rng.randint(0, 1000))
                        events.append(CreditEvent(
                            enterprise_id=e.pk, jurisdiction_path=e.jurisdiction_path, kind="obstruction",
                            points=rng.choice([-10, -20, -30]), grounds="基准", source_key=f"bench:{e.pk}:{j}",
                            occurred_on=occurred, expires_on=occurred.replace(year=occurred.year + 3)
                            if not (occurred.month == 2 and occurred.day == 29) else occurred + dt.timedelta(days=1095)))
                elif r < 0.062:
                    occurred = today - dt.timedelta(days=rng.randint(0, 1000))
                    events.append(CreditEvent(
                        enterprise_id=e.pk, jurisdiction_path=e.jurisdiction_path, kind="standardization", points=10,
                        level="2", grounds="基准", source_key=f"bench:{e.pk}:s", occurred_on=occurred,
                        expires_on=occurred + dt.timedelta(days=1095)))
            insert_objects(events, batch=batch)
        done = min(offset + batch, n)
        if done % 100_000 == 0 or done == n:
            print(f"  {done:>9} enterprises  {time.perf_counter() - start:7.1f}s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--direct-repeat", type=int, default=3, help="runs of the direct counts (slow at 1M)")
    args = parser.parse_args()
    world = migrated_world()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from core.audit import Source, audit_context
    from credit.cards import credit_card
    from credit.selectors import distribution, distribution_for
    from credit.standing import recompute_all
    from enterprises.cards import enterprise_card
    from enterprises.models import Enterprise, EnterpriseTally
    from enterprises.selectors import enterprise_counts, enterprise_counts_for
    from enterprises.tally import rebuild

    before = Enterprise.objects.count()
    fill(args.n)
    total = Enterprise.objects.count()
    if total != before or not EnterpriseTally.objects.exists():
        # The bulk tools' follow-ups (rows written by COPY outside the services).
        with audit_context(source=Source.COMMAND):
            t = time.perf_counter()
            changed = recompute_all()
            print(f"recompute_credit_classes: {changed} classes changed in {time.perf_counter() - t:.1f}s")
            t = time.perf_counter()
            rows = rebuild()
            print(f"rebuild_enterprise_tallies: {rows} tally rows in {time.perf_counter() - t:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    today = timezone.localdate()
    print(f"enterprises: {total}  tally rows: {EnterpriseTally.objects.count()}  database: {connection.vendor}")
    print(f"{'persona':<15} {'visible':>9} | {'ent. direct':>11} {'ent. kept':>9} {'ratio':>6} | "
          f"{'credit direct':>13} {'credit kept':>11} {'ratio':>6} | {'both cards':>10} {'SQL':>4}")
    for key in PERSONAS:
        user = User.objects.get(pk=world.users[key].pk)
        user.get_scope()
        visible = Enterprise.objects.visible_to(user)
        direct_e = enterprise_counts(visible)
        kept_e = enterprise_counts_for(user)
        assert direct_e == kept_e, (key, direct_e, kept_e)
        direct_c = distribution(visible, today)
        kept_c = distribution_for(user)
        assert direct_c == kept_c, (key, direct_c, kept_c)
        slow = max(1, args.direct_repeat)
        t_de = timed(lambda u=user: enterprise_counts(Enterprise.objects.visible_to(u)), slow)
        t_ke = timed(lambda u=user: enterprise_counts_for(u), args.repeat)
        t_dc = timed(lambda u=user: distribution(Enterprise.objects.visible_to(u), today), slow)
        t_kc = timed(lambda u=user: distribution_for(u), args.repeat)
        t_cards = timed(lambda u=user: (enterprise_card(u), credit_card(u)), args.repeat)
        with CaptureQueriesContext(connection) as ctx:
            enterprise_card(user), credit_card(user)
        print(f"{key:<15} {direct_e['total']:>9} | {t_de:9.1f}ms {t_ke:7.1f}ms {t_de / t_ke:6.0f} | "
              f"{t_dc:11.1f}ms {t_kc:9.1f}ms {t_dc / t_kc:6.0f} | {t_cards:8.1f}ms {len(ctx):>4}")
    print("whole requests (in-process client; other cards count hazards, tasks … of an otherwise empty database):")
    for key in ["office", "township_a", "regulator"]:
        client = Client()
        client.force_login(User.objects.get(pk=world.users[key].pk))
        for name in ("core:home", "core:cockpit"):
            url = reverse(name)
            assert client.get(url).status_code == 200
            ms = timed(lambda url=url, c=client: c.get(url), args.repeat)
            print(f"  {key:<15} {url:<12} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
