"""A province-size 双随机 draw (issue 12): 1,000,000 targets, 5,000 inspectors.

Usage:
    .venv/bin/python bench/enforcement_draw.py                 # the pure function (enforcement/draw.py)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_enforce .venv/bin/python bench/enforcement_draw.py --db

Pure level: a synthetic population (classes A 5% / B 15% / C 40% / D 40%, complaints and violations, 60
townships, yearly caps partly used, last inspectors) and 5,000 inspectors (1 in 10 with declared conflicts, 1 in 20
with a place conflict), strata A 30% / B 10% / C 2% / D 1%, two inspectors per target, recusal of the same township
and of last time, at most 30 targets per inspector. Prints seconds for hashing the commitment, the draw, and the
verification (hashes + re-run).

--db: fills the database with --n enterprises (bulk inserts, benchmark data, once), 5,000 inspectors of
市应急管理局, then times ``services.population_snapshot`` + ``inspectors_snapshot`` (the commitment's inputs from the
registry) and the draw on that snapshot.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

from enforcement import draw  # noqa: E402

PARAMETERS: dict[str, Any] = {
    "strata": [{"key": "a", "ratio": "0.3"}, {"key": "b", "ratio": "0.1"}, {"key": "c", "ratio": "0.02"},
               {"key": "d", "ratio": "0.01"}],
    "weights": {"complaints": 1, "violations": 2}, "weight_factor_cap": 5,
    "teams": [{"group": None, "count": 2}], "recuse_same_township": True, "recuse_last_time": True,
    "max_targets_per_inspector": 30,
}


def synthetic(n: int, m: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(12)
    towns = [f"/1/{t}/" for t in range(2, 62)]
    inspectors = [{"id": f"i{k}", "township": rng.choice(towns), "conflicts": [], "conflict_places": []}
                  for k in range(m)]
    population = []
    for k in range(n):
        town = rng.choice(towns)
        population.append({
            "id": f"e{k}", "stratum": rng.choices("abcd", (5, 15, 40, 40))[0], "place": f"{town}{k % 300}/",
            "township": town, "cap_left": rng.choice((0, 1, 1, 2, 2, 2)), "complaints": rng.choice((0, 0, 0, 1, 2)),
            "violations": rng.choice((0, 0, 0, 0, 1, 3)),
            "last_inspectors": [f"i{rng.randrange(m)}", f"i{rng.randrange(m)}"] if k % 3 == 0 else []})
    for k, inspector in enumerate(inspectors):
        if k % 10 == 0:
            inspector["conflicts"] = [f"e{rng.randrange(n)}" for _ in range(3)]
        if k % 20 == 0:
            inspector["conflict_places"] = [rng.choice(towns)]
    return population, inspectors


def timed_draw(population: list[dict[str, Any]], inspectors: list[dict[str, Any]], parameters: dict[str, Any]) -> None:
    start = time.perf_counter()
    document = draw.commitment_document(population=population, inspectors=inspectors, parameters=parameters,
                                        public_source="bench", operator_commit=draw.secret_hash("operator-bench"),
                                        witness_commit=draw.secret_hash("witness-bench"))
    commitment = draw.commitment(document)
    hashed = time.perf_counter()
    seed = draw.derive_seed(commitment_hex=commitment, public_value="3391.27", operator_secret="operator-bench",
                            witness_secret="witness-bench")
    result = draw.run(population, inspectors, parameters, seed)
    drawn = time.perf_counter()
    problems = draw.verify({"population": population, "inspectors": inspectors, "parameters": parameters,
                            "commitment": {"document": document, "hash": commitment},
                            "reveal": {"public_value": "3391.27", "operator_secret": "operator-bench",
                                       "witness_secret": "witness-bench"}, "result": result})
    verified = time.perf_counter()
    assert not problems, problems
    print(f"population {len(population):,}, inspectors {len(inspectors):,}: {len(result['targets']):,} targets drawn, "
          f"{len(result['shortfall'])} short of inspectors")
    print(f"  commitment hashes {hashed - start:.2f}s, draw {drawn - hashed:.2f}s, "
          f"verification (hashes + re-run) {verified - drawn:.2f}s")


def fill(n: int, m: int) -> Any:
    import datetime as dt

    from django.db import connection

    from enforcement.models import Inspector
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction, Unit

    department = Unit.objects.get(name="市应急管理局")
    domains = list(department.domains.all()) or list(Domain.objects.filter(kind="domain"))
    have = Enterprise.objects.count()
    rng = random.Random(7)
    places = list(Jurisdiction.objects.exclude(depth=0))
    start = time.perf_counter()
    for offset in range(have, n, 5000):
        ents = [Enterprise(name=f"基准执法企业{i:07d}", credit_code=make_credit_code(f"91430381EF{i:07d}"),
                           jurisdiction=(place := rng.choice(places)), jurisdiction_path=place.path,
                           search_text=f"基准执法企业{i:07d}") for i in range(offset, min(offset + 5000, n))]
        Enterprise.objects.bulk_create(ents, batch_size=5000)
        EnterpriseDomain.objects.bulk_create([EnterpriseDomain(enterprise=e, domain=rng.choice(domains)) for e in ents],
                                             batch_size=5000)
    have_inspectors = Inspector.objects.filter(department=department).count()
    Inspector.objects.bulk_create([
        Inspector(department=department, jurisdiction_path=department.jurisdiction_path, name=f"基准检查员{k}",
                  cert_number=f"BENCH-{k}", cert_valid_until=dt.date(2099, 1, 1), home=rng.choice(places))
        for k in range(have_inspectors, m)], batch_size=5000)
    if Enterprise.objects.count() > have:
        print(f"filled {n - have:,} enterprises in {time.perf_counter() - start:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return department


def from_database(n: int, m: int) -> None:
    from bench.common import migrated_world

    migrated_world()
    import datetime as dt

    from enforcement import services

    department = fill(n, m)
    start = time.perf_counter()
    population = services.population_snapshot(department=department, filters={}, cap=4, year=dt.date.today().year,
                                              stratify="class")
    snapped = time.perf_counter()
    inspectors = services.inspectors_snapshot(departments=[department], on=dt.date.today())
    print(f"database snapshot: {len(population):,} targets of {department} in {snapped - start:.1f}s, "
          f"{len(inspectors):,} inspectors in {time.perf_counter() - snapped:.2f}s")
    timed_draw(population, inspectors, PARAMETERS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--m", type=int, default=5_000)
    parser.add_argument("--db", action="store_true")
    args = parser.parse_args()
    if args.db:
        from_database(args.n, args.m)
        return
    start = time.perf_counter()
    population, inspectors = synthetic(args.n, args.m)
    print(f"synthetic snapshot built in {time.perf_counter() - start:.1f}s")
    timed_draw(population, inspectors, PARAMETERS)


if __name__ == "__main__":
    main()
