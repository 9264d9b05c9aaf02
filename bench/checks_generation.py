"""隐患排查 at scale: the nightly generation of due checks and the figures, for 10,000 enterprises × 20 risk points ×
daily checks (≈200,000 due checks and runs a day, ≈73 M a year).

Storage model measured here (see checks/models.py): one narrow ``DueCheck`` row per scheduled occurrence, one
``CheckRun`` row per run with its counts, and ``ItemResult`` rows only for failures (passes are implied by the run
and its checklist version). The figures read only due-check and run rows.

Usage (PostgreSQL; the database is created and migrated if missing):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_checks_bench .venv/bin/python bench/checks_generation.py \
        --enterprises 10000 --points 20 --days 7
    # the figures over a year, read from the daily rollup:
    DATABASE_URL=… .venv/bin/python bench/checks_generation.py --enterprises 10000 --points 20 --days 0 --year

The figures read the daily rollup ``CheckDay`` (one row per enterprise, domain and day) for every count and the due
checks only for 覆盖率 (distinct risk points). After the simulated runs (bulk SQL, not the services) the rollup is
rebuilt from the rows (``checks.rollup.rebuild``, timed). ``--year`` bulk-inserts rollup rows only — 365 days × the
enterprises, with due = points, ≈90 % done — and times the figures over that year: the counts come from those rows;
覆盖率 still reads the due checks, of which only the ``--days`` generated here exist, so its cost over a real year of
due checks is not measured by ``--year``.

Enterprises, risk points, plans and the simulated runs are bulk-inserted (benchmark data, not business writes: no
change log); the generation of due checks is the real nightly service (``checks.services.generate_due``), timed per
day. Runs: 90 % of due checks are done (10 % of those a day late), 5 % of runs find one failure. Prints the
generation time per day, the figures (total, by township, by domain; office, township and enterprise viewers) with
their timings, and the table sizes with a per-year extrapolation.
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


def _fill(enterprises: int, points: int, start: dt.date, world: object) -> None:
    from django.db import connection

    from checks.choices import CheckerLevel, Frequency, ListKind
    from checks.models import CheckItem, Checklist, CheckPlan
    from core.pinyin import search_text
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction
    from risk.models import RiskPoint

    have = Enterprise.objects.filter(name__startswith="排查基准企业").count()
    rng = random.Random(5)
    places = list(Jurisdiction.objects.exclude(depth=0))
    domains = list(Domain.objects.filter(kind="domain"))
    checklist, _ = Checklist.objects.get_or_create(
        key="bench-daily", version="1", enterprise=None,
        defaults={"kind": ListKind.PUBLISHED, "title": "基准：风险点日常排查", "jurisdiction_path": ""})
    if not checklist.items.exists():
        CheckItem.objects.bulk_create([CheckItem(checklist=checklist, position=n, text=f"管控措施{n}落实")
                                       for n in range(1, 4)])
    t = time.perf_counter()
    batch = 2000
    for offset in range(have, enterprises, batch):
        ents = []
        for i in range(offset, min(offset + batch, enterprises)):
            place = rng.choice(places)
            name = f"排查基准企业{i:06d}有限公司"
            ents.append(Enterprise(name=name, credit_code=make_credit_code(f"91430381PC{i:07d}"), jurisdiction=place,
                                   jurisdiction_path=place.path, search_text=search_text(name)))
        Enterprise.objects.bulk_create(ents)
        links = [EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents]
        EnterpriseDomain.objects.bulk_create(links)
        domain_of = {link.enterprise_id: link.domain_id for link in links}
        rps = [RiskPoint(enterprise=e, jurisdiction_path=e.jurisdiction_path, kind="post", name=f"岗位{p}",
                         grade=rng.choice(["red", "orange", "yellow", "blue"])) for e in ents for p in range(points)]
        RiskPoint.objects.bulk_create(rps, batch_size=10_000)
        plans = [CheckPlan(enterprise_id=rp.enterprise_id, jurisdiction_id=rp.enterprise.jurisdiction_id,
                           jurisdiction_path=rp.jurisdiction_path, domain_id=domain_of[rp.enterprise_id],
                           title=f"{rp.name}日常排查", checklist=checklist, risk_point=rp, frequency=Frequency.DAILY,
                           checker_level=CheckerLevel.TEAM, starts_on=start) for rp in rps]
        CheckPlan.objects.bulk_create(plans, batch_size=10_000)
    if enterprises > have:
        print(f"inserted {enterprises - have} enterprises, {(enterprises - have) * points} risk points and daily plans"
              f" in {time.perf_counter() - t:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


RUNS_SQL = """
INSERT INTO checks_checkrun (uuid, status, checklist_id, plan_id, risk_point_id, checker_id, by_government, place,
    performed_at, submitted_at, note, items_total, items_failed, items_na, hazards_created, fixed_on_spot, created_at,
    jurisdiction_path, enterprise_id, premises_id, jurisdiction_id, domain_id)
SELECT md5(d.id::text)::uuid, 'submitted', p.checklist_id, d.plan_id, d.risk_point_id, %(checker)s, false, '',
    x.at, x.at, '', 3, x.failed, 0, 0, x.failed, now(), d.jurisdiction_path, d.enterprise_id, NULL,
    d.jurisdiction_id, d.domain_id
FROM checks_duecheck d JOIN checks_checkplan p ON p.id = d.plan_id
CROSS JOIN LATERAL (SELECT (d.due_on + (CASE WHEN random() < 0.1 THEN 1 ELSE 0 END)) + time '10:00' AS at,
                           (CASE WHEN random() < 0.05 THEN 1 ELSE 0 END) AS failed) x
WHERE d.due_on = %(day)s AND d.run_id IS NULL AND random() < 0.9
"""
LINK_SQL = """
UPDATE checks_duecheck d SET run_id = r.id, done_on = r.performed_at::date
FROM checks_checkrun r WHERE d.due_on = %(day)s AND r.uuid = md5(d.id::text)::uuid
"""
FAIL_SQL = """
INSERT INTO checks_itemresult (run_id, item_id, outcome, note, disposal, fix_action, proposed_major)
SELECT r.id, %(item)s, 'fail', '', 'on_spot', '基准：当场整改', false
FROM checks_checkrun r JOIN checks_duecheck d ON d.run_id = r.id
WHERE d.due_on = %(day)s AND r.items_failed > 0
"""


YEAR_SQL = """
INSERT INTO checks_checkday (enterprise_id, premises_id, jurisdiction_id, jurisdiction_path, domain_id, day, due, done,
    on_time, runs, runs_finding, failures, hazards, fixes)
SELECT e.id, NULL, e.jurisdiction_id, e.jurisdiction_path, ed.domain_id, d::date, %(points)s, x.done,
    x.done - (e.id %% 2), x.done + (e.id %% 2), x.f, x.f, 0, x.f
FROM enterprises_enterprise e
JOIN (SELECT enterprise_id, min(domain_id) AS domain_id FROM enterprises_enterprisedomain GROUP BY enterprise_id) ed
    ON ed.enterprise_id = e.id
CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
CROSS JOIN LATERAL (SELECT %(points)s - 1 - ((e.id + extract(doy FROM d)::int) %% 3) AS done,
                           (e.id + extract(doy FROM d)::int) %% 2 AS f) x
WHERE e.name LIKE '排查基准企业%%' AND d::date BETWEEN %(first)s AND %(last)s
ON CONFLICT (enterprise_id, domain_id, day) WHERE enterprise_id IS NOT NULL DO NOTHING
"""


def _year(args: argparse.Namespace, world: object, today: dt.date) -> None:
    """The figures over the last 365 days, from rollup rows bulk-inserted for every bench enterprise and day."""
    from django.db import connection

    from accounts.models import User
    from checks.figures import figures, totals
    from checks.models import CheckDay

    first, last = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(YEAR_SQL, {"points": args.points, "first": first, "last": last})
        inserted = cur.rowcount
        cur.execute("ANALYZE checks_checkday")
    rows = CheckDay.objects.count()
    print(f"year: inserted {inserted:,} rollup rows in {time.perf_counter() - t:.1f}s (rollup rows only, bulk SQL); "
          f"checks_checkday holds {rows:,} rows")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_total_relation_size('checks_checkday')")
        size = cur.fetchone()[0]
    print(f"  checks_checkday: {size / 2**20:.1f} MiB, {size / max(rows, 1):.0f} B/row")
    for key in ("office", "township_a", "regulator", "enterprise_a"):
        user = User.objects.get(pk=world.users[key].pk)  # type: ignore[attr-defined]
        for group in (None, "enterprise", "township", "domain"):
            if key == "enterprise_a" and group:
                continue
            ms = timed(lambda u=user, g=group: figures(u, first, last, group=g, today=today), repeat=3)
            groups = figures(user, first, last, group=group, today=today)
            total = totals(groups)
            print(f"year {key:<13} group={group or 'total':<10} {ms:8.0f} ms  groups {len(groups):>6,}  "
                  f"due {total.due:>11,}  计划完成率 {total.completion_rate}%  按时完成率 {total.on_time_rate}%  "
                  f"runs {total.runs:>11,}  每百次 {total.per_100}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--year", action="store_true",
                        help="fill the rollup for 365 days × the enterprises and time the figures over a year")
    args = parser.parse_args()
    world = migrated_world()
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from checks.figures import figures, totals
    from checks.models import CheckItem, CheckRun, DueCheck
    from checks.rollup import rebuild
    from checks.services import generate_due
    from core.audit import Source, audit_context

    if connection.vendor != "postgresql":
        sys.exit("run this on PostgreSQL (DATABASE_URL=postgres://…)")
    today = timezone.localdate()
    first = today - dt.timedelta(days=args.days)
    _fill(args.enterprises, args.points, first, world)
    checker = world.users["enterprise_a"].pk  # type: ignore[attr-defined]
    item = CheckItem.objects.filter(checklist__key="bench-daily").order_by("position").values_list("pk", flat=True)[0]
    print(f"database: {connection.vendor}; plans: {args.enterprises * args.points:,} daily; days: {args.days}")
    gen_times = []
    for n in range(args.days):
        day = first + dt.timedelta(days=n)
        if DueCheck.objects.filter(due_on=day).exists():
            continue
        t = time.perf_counter()
        with audit_context(source=Source.SYSTEM):
            created = generate_due(today=day, days=1, batch=10_000)
        gen_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(RUNS_SQL, {"checker": checker, "day": day})
            cur.execute(LINK_SQL, {"day": day})
            cur.execute(FAIL_SQL, {"item": item, "day": day})
        print(f"  {day}: generated {created:,} due checks in {gen_times[-1]:.1f}s (nightly job); "
              f"simulated runs in {time.perf_counter() - t:.1f}s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE checks_duecheck; ANALYZE checks_checkrun; ANALYZE checks_itemresult")
    # The simulated runs bypassed the services: recount the rollup from the rows (the repair path).
    t = time.perf_counter()
    n = rebuild()
    print(f"rollup rebuilt from the rows: {n:,} upserts in {time.perf_counter() - t:.1f}s")
    if gen_times:
        print(f"nightly generation: median {sorted(gen_times)[len(gen_times) // 2]:.1f}s per day "
              f"({args.enterprises * args.points:,} due checks)")
    # Idempotence at scale: the second run of a night adds nothing.
    t = time.perf_counter()
    with audit_context(source=Source.SYSTEM):
        again = generate_due(today=first + dt.timedelta(days=args.days - 1), days=1, batch=10_000)
    print(f"re-running a night: {again} new rows in {time.perf_counter() - t:.1f}s")
    if args.year:
        _year(args, world, today)
        return

    start, end = first, today - dt.timedelta(days=1)
    for key in ("office", "township_a", "regulator", "enterprise_a"):
        user = User.objects.get(pk=world.users[key].pk)  # type: ignore[attr-defined]
        for group in (None, "township", "domain"):
            if key == "enterprise_a" and group:
                continue
            ms = timed(lambda u=user, g=group: figures(u, start, end, group=g, today=today), repeat=3)
            total = totals(figures(user, start, end, group=group, today=today))
            print(f"{key:<13} group={group or 'total':<9} {ms:8.0f} ms  due {total.due:>9,}  计划完成率 "
                  f"{total.completion_rate}%  按时完成率 {total.on_time_rate}%  覆盖率 {total.coverage}%  "
                  f"runs {total.runs:>9,}  隐患发现率 {total.finding_rate}%  每百次 {total.per_100}")
    sizes = {}
    with connection.cursor() as cur:
        for table in ("checks_duecheck", "checks_checkrun", "checks_itemresult"):
            cur.execute("SELECT pg_total_relation_size(%s), (SELECT count(*) FROM " + table + ")", [table])
            sizes[table] = cur.fetchone()
    days = max(DueCheck.objects.values("due_on").distinct().count(), 1)
    print("storage (table + indexes):")
    for table, (size, rows) in sizes.items():
        per_row = size / rows if rows else 0
        print(f"  {table:<18} {rows:>12,} rows  {size / 2**20:9.1f} MiB  {per_row:6.0f} B/row  "
              f"→ a year: {rows / days * 365:,.0f} rows, {size / days * 365 / 2**30:.1f} GiB")
    print(f"runs: {CheckRun.objects.count():,}; item results stored: {sizes['checks_itemresult'][1]:,} "
          f"of {CheckRun.objects.count() * 3:,} item checks")


if __name__ == "__main__":
    main()
