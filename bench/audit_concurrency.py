"""Benchmark: hazard transitions and logins alone, and while a bulk writer (a sweep-like job) runs.

Every write appends to the change log. Before blocks (issue #13, lever 2) each append locked the one chain-head
row, so a long bulk writer made every other writer wait behind it, and logins deadlocked against it (login
locks the user row, then waits for the head; the bulk writer holds the head and inserts notifications
referencing the user). This script measures that from the inside:

1. ``alone``: N hazard transitions (确定整改方案: 已定级 → 已制定方案) one after another, and M logins through the real login view;
2. ``during``: the same while a second thread runs a sweep-like bulk writer over and over — one transaction
   each: ``record_many`` of the sweep's events, then a notification to each user, held open for a moment (as
   a long sweep or import holds its transaction).

It prints transition p50/p95 for both, and how many logins failed. It runs on the code it sits in, so
"before" is this script run in an export of ``main`` (see bench/README.md). Throw-away database
``<DATABASE_URL name>_audit`` (created and migrated when missing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi_bench .venv/bin/python bench/audit_concurrency.py \
        [--transitions 60] [--logins 30] [--bulk 5000] [--hold 1.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL server (SQLite serialises writers: nothing to measure).")
_base, _, _name = os.environ["DATABASE_URL"].rpartition("/")
os.environ["DATABASE_URL"] = f"{_base}/{_name}_audit"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")

from bench.common import migrated_world  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transitions", type=int, default=60)
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--bulk", type=int, default=5000, help="events per bulk-writer transaction")
    parser.add_argument("--hold", type=float, default=1.0, help="seconds each bulk transaction stays open")
    options = parser.parse_args()

    world = migrated_world()
    from django.db import connection, transaction
    from django.test import Client

    from accounts.models import User
    from core.audit import Source, audit_context, record_many
    from hazards import services as hazard_services
    from hazards.choices import Grade, Status
    from hazards.tests.factories import enterprise_hazard, fill_plan
    from notifications.services import notify
    from tests.personas import PASSWORD

    try:
        from core.chain import seal  # after: the sealer
    except ImportError:  # before: no sealer, the head row is the chain
        seal = None

    actor = world.user("enterprise_a")
    with audit_context(source=Source.COMMAND):
        hazards = [enterprise_hazard(world, grade=Grade.GENERAL) for _ in range(2 * options.transitions)]
        for hazard in hazards:
            fill_plan(world, hazard)
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    personas = [world.users[key] for key in ("office", "township_a", "enterprise_a")]
    queue = iter(hazards)

    def transitions(n: int) -> list[float]:
        samples = []
        with audit_context(source=Source.WEB, actor=actor):
            for _ in range(n):
                hazard = next(queue)
                start = time.perf_counter()
                hazard_services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=actor)
                samples.append((time.perf_counter() - start) * 1000)
        return samples

    def logins(n: int) -> tuple[int, int]:
        ok = failed = 0
        for i in range(n):
            user = personas[i % len(personas)]
            try:
                status = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code
            except Exception:  # noqa: BLE001 — a 500 in-process surfaces as the exception
                status = 500
            ok, failed = (ok + 1, failed) if status == 302 else (ok, failed + 1)
        return ok, failed

    stop = threading.Event()
    bulk_stats = {"rounds": 0, "errors": 0}

    def bulk_writer() -> None:
        round_ = 0
        try:
            with audit_context(source=Source.SYSTEM):
                while not stop.is_set():
                    try:
                        with transaction.atomic():
                            # The sweep's shape: its events first, then a notification per user (each insert
                            # takes a key-share lock on the user row), then the transaction stays open a while.
                            record_many(((("escalation.bench", users[i % len(users)], {"i": i}, "bench"))
                                         for i in range(options.bulk)), jsonable=True)
                            for user in users:
                                notify(title=f"压测催办 {round_}", users=[user])
                            time.sleep(options.hold)
                        bulk_stats["rounds"] += 1
                    except Exception:  # noqa: BLE001
                        bulk_stats["errors"] += 1
                    round_ += 1
        finally:
            connection.close()

    def sealer() -> None:
        try:
            while not stop.is_set():
                seal()
                time.sleep(1.0)
        finally:
            connection.close()

    if seal:
        seal()
    alone = transitions(options.transitions)
    alone_logins = logins(options.logins)
    threads = [threading.Thread(target=bulk_writer)] + ([threading.Thread(target=sealer)] if seal else [])
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    started = time.perf_counter()
    during = transitions(options.transitions)
    during_logins = logins(options.logins)
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()

    print(f"scheme: {'blocks + sealer' if seal else 'one chain head (locked by every append)'}; "
          f"bulk writer: {options.bulk} events + notifications to {len(users)} users a transaction, held "
          f"{options.hold}s; {bulk_stats['rounds']} rounds ({bulk_stats['errors']} failed) in {elapsed:.1f}s")
    print("| phase | transitions | p50 ms | p95 ms | logins ok | logins failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, samples, (ok, failed) in (("alone", alone, alone_logins), ("during bulk writer", during, during_logins)):
        print(f"| {label} | {len(samples)} | {statistics.median(samples):.1f} | {percentile(samples, 0.95):.1f} "
              f"| {ok} | {failed} |")
    if seal:
        from core.chain import verify_chain

        seal()
        report = verify_chain()
        print(f"after sealing: {report.checked} events in {report.blocks} blocks, "
              f"{'verified' if report.ok else 'PROBLEMS: ' + '; '.join(report.problems[:3])}")


if __name__ == "__main__":
    main()
