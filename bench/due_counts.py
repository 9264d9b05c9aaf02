"""The escalation cards and the 督办台 at scale: overdue / due-soon counts per deadline source, counted directly
over the viewer's scope against the maintained counts (``escalation.counts``), per persona.

Usage (PostgreSQL; the database is created and migrated if missing, then filled once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duestand_bench .venv/bin/python bench/due_counts.py \\
        --enterprises 100000 --n 1000000

Open items are bulk-inserted (benchmark data, not business writes) across three sources — hazards (60 %, counted
from ``HazardDue``, kept with every write), tips (20 %) and licences (20 %, both from the standing ``DueCount``) —
with deadlines from 60 days past to 60 days ahead (``--without-hazards``: tips and licences only, half each, next to
the hazards of bench/generate.py); then the maintained counts are rebuilt
(``hazards.tally.rebuild``, ``escalation.counts.refresh``). Prints, per persona, the medians of 5 of
``due_summary`` counted directly and from the maintained counts (checked equal), the home page's escalation cards,
the whole home page and the 督办台 page (in-process client), and the plans of the direct hazard count before and
after step 1 (one filtered queryset instead of ``pk IN (subquery)``).
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

BATCH = 10_000


def fill_enterprises(n: int) -> None:
    from core.pinyin import search_text
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction

    have = Enterprise.objects.count()
    if have >= n:
        return
    rng = random.Random(7)
    places = list(Jurisdiction.objects.exclude(depth=0))
    domains = list(Domain.objects.filter(kind="domain"))
    start = time.perf_counter()
    for offset in range(have, n, BATCH):
        ents = []
        for i in range(offset, min(offset + BATCH, n)):
            place = rng.choice(places)
            name = f"基准企业{i:07d}有限公司"
            ents.append(Enterprise(name=name, credit_code=make_credit_code(f"91430381DC{i:07d}"),
                                   jurisdiction=place, jurisdiction_path=place.path, search_text=search_text(name)))
        Enterprise.objects.bulk_create(ents, batch_size=BATCH)
        EnterpriseDomain.objects.bulk_create(
            [EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents], batch_size=BATCH)
    print(f"inserted {n - have} enterprises in {time.perf_counter() - start:.1f}s")


def fill_items(n: int, *, hazards_too: bool = True) -> None:
    from django.utils import timezone

    from enterprises.models import Enterprise, EnterpriseDomain, Licence
    from hazards.choices import Grade, Source, Status
    from hazards.models import Hazard
    from tips.choices import TipStatus
    from tips.models import Tip

    have = (Hazard.objects.count() if hazards_too else 0) + Tip.objects.count() + Licence.objects.count()
    if have >= n:
        return
    rng = random.Random(11)
    ents = list(Enterprise.objects.values_list("pk", "jurisdiction_id", "jurisdiction_path"))
    domain_of = dict(EnterpriseDomain.objects.values_list("enterprise_id", "domain_id"))
    today, now = timezone.localdate(), timezone.now()
    open_statuses = [Status.REGISTERED, Status.RECTIFYING, Status.RECTIFYING, Status.ASSESSED]

    def day() -> dt.date:
        return today + dt.timedelta(days=rng.randint(-60, 60))

    start = time.perf_counter()
    for offset in range(have, n, BATCH):
        hazards, tips, licences = [], [], []
        for i in range(offset, min(offset + BATCH, n)):
            pk, jid, path = rng.choice(ents)
            kind = i % 5 if hazards_too else 3 + i % 2
            if kind < 3:
                deadline = day()
                hazards.append(Hazard(enterprise_id=pk, jurisdiction_id=jid, jurisdiction_path=path,
                                      domain_id=domain_of.get(pk, 1), source=Source.SELF_CHECK,
                                      description="基准测试隐患", grade=Grade.GENERAL, status=rng.choice(open_statuses),
                                      original_deadline=deadline, deadline=deadline))
            elif kind == 3:
                tips.append(Tip(code=f"DC{i:010d}", kind="hazard", description="基准测试举报内容，仓库堆放钢瓶。",
                                jurisdiction_id=jid, jurisdiction_path=path, address="基准地址", status=TipStatus.RECEIVED,
                                received_at=now, accept_due=day()))
            else:
                licences.append(Licence(enterprise_id=pk, jurisdiction_path=path, kind="safety", number=f"DC-{i}",
                                        valid_until=day()))
        Hazard.objects.bulk_create(hazards, batch_size=BATCH)
        Tip.objects.bulk_create(tips, batch_size=BATCH)
        Licence.objects.bulk_create(licences, batch_size=BATCH)
    print(f"inserted {n - have} open items in {time.perf_counter() - start:.1f}s")


def plan(qs: object) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()  # type: ignore[attr-defined]
        cur.execute("EXPLAIN " + sql, params)
        return [line for (line,) in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--without-hazards", action="store_true",
                        help="fill tips and licences only, half each (on a database bench/generate.py filled)")
    parser.add_argument("--personas", default="office,township_a,township_b,regulator,regulator_fire,enterprise_a,"
                        "inspector")
    args = parser.parse_args()
    world = migrated_world()
    from django.db import connection

    from core.startup import collect_static_if_needed

    collect_static_if_needed(lambda line: None)  # the pages below render with the manifest storage
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from escalation import counts
    from escalation.cards import board_card, due_card, my_supervision_card
    from escalation.registry import SOURCES
    from escalation.selectors import due_summary
    from hazards.models import Hazard, HazardTally
    from hazards.tally import rebuild

    fill_enterprises(args.enterprises)
    fill_items(args.n, hazards_too=not args.without_hazards)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    if not HazardTally.objects.exists():
        t = time.perf_counter()
        rows = rebuild()
        print(f"rebuilt hazard tallies: {rows} rows in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    written = counts.refresh()
    print(f"refreshed standing counts (escalation.count_due): {sum(written.values())} rows in "
          f"{time.perf_counter() - t:.1f}s  ({', '.join(f'{k} {v}' for k, v in written.items() if v)})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE escalation_duecount")
            cur.execute("ANALYZE hazards_hazarddue")
    print(f"open hazards+tips+licences inserted: {args.n}  database: {connection.vendor}")
    today = timezone.localdate()
    source = SOURCES["hazards.hazard"]
    print(f"\n{'persona':<15} {'overdue':>9} {'soon':>8}  {'direct ms':>10} {'maintained ms':>14} {'ratio':>6}  "
          f"{'cards ms':>9} {'home ms':>8} {'督办台 ms':>9}")
    for key in args.personas.split(","):
        user = User.objects.get(pk=world.users[key].pk)
        live = due_summary(user, today=today, live=True)
        kept = due_summary(user, today=today)
        strip = [(r["key"], r["overdue"], r["due_soon"]) for r in live]
        assert strip == [(r["key"], r["overdue"], r["due_soon"]) for r in kept], key
        t_live = timed(lambda user=user: due_summary(user, today=today, live=True), args.repeat)
        t_kept = timed(lambda user=user: due_summary(user, today=today), args.repeat)
        t_cards = timed(lambda user=user: (due_card(user), board_card(user), my_supervision_card(user)), args.repeat)
        client = Client()
        client.force_login(user)
        home = board = float("nan")
        if client.get("/").status_code == 200:
            home = timed(lambda client=client: client.get("/"), args.repeat)
        if client.get("/escalation/").status_code == 200:
            board = timed(lambda client=client: client.get("/escalation/"), args.repeat)
        over = sum(r["overdue"] for r in live)
        soon = sum(r["due_soon"] for r in live)
        print(f"{key:<15} {over:>9} {soon:>8}  {t_live:>10.1f} {t_kept:>14.1f} {t_live / max(t_kept, 0.01):>6.1f}  "
              f"{t_cards:>9.1f} {home:>8.1f} {board:>9.1f}")
    if connection.vendor == "postgresql":
        user = User.objects.get(pk=world.users["township_a"].pk)
        agg = {"overdue": Count("pk", filter=Q(deadline__lt=today))}
        before = Hazard.objects.visible_to(user).filter(pk__in=source.open_items().values("pk"))
        after = counts.open_visible(user, source)
        for label, qs in (("pk IN (subquery), before", before), ("one filtered queryset, after", after)):
            t = timed(lambda qs=qs: qs.aggregate(**agg), args.repeat)
            print(f"\ntownship_a hazard overdue count, {label}: {t:.1f} ms")
            for line in plan(qs.order_by().values("pk"))[:10]:
                print("    " + line)


if __name__ == "__main__":
    main()
