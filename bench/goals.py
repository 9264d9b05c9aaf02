"""Every figure of issue 13's goal, measured in one run and printed against its target.

Usage (PostgreSQL, on the data of bench/generate.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prov .venv/bin/python -u bench/goals.py [--repeat 15]
    ... --load       also runs bench/load.py on the same database (--existing, gunicorn, 100 users, alone / during
                     the sweep / during a 50,000-row import) and prints its goal lines
    ... --sweep      also bench/escalation_sweep.py 1000000 (its own database) — the first sweep's time
    ... --import     also bench/enterprise_import.py (its own database) — import against COPY
    ... --only dashboard --personas office,regulator   only those goals' requests (no transition), those personas
    ... --only home,督办台   goals and request labels can be mixed

Requests run in this process through Django's test client (middleware, session, scoping, filters, paging,
serializer or template: the whole request but the network), one persona at a time, ``--repeat`` times each; p50
and p95 in milliseconds. A list's **rows query** is timed alone from the same view (``ScopedListView.rows`` for a
page, the viewset's filtered queryset for the API): the first page of the same scoped, filtered, sorted queryset,
so the ratio is what the request costs beyond the rows it shows. SQL is the number of statements of one request.
Lines starting with ``GOAL`` are the verdicts: ``GOAL <what> <measured> <target> ok|MISSED``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")

PERSONAS = ["office", "township_a", "regulator", "regulator_fire", "enterprise_a"]
# (goal, label, url, params, target ms). Lists also carry the ratio target (1.5× the rows query).
REQUESTS: list[tuple[str, str, str, dict[str, str], float]] = [
    ("home", "home page", "/", {}, 200),
    ("list", "hazard list page", "/hazards/", {}, 100),
    ("dashboard", "hazard figures (fetched by the list page)", "/hazards/figures/cards/", {}, 200),
    ("list", "hazard API list", "/api/v1/hazards/", {}, 100),
    ("list", "hazard list, overdue major", "/hazards/", {"grade": "major", "overdue": "true"}, 100),
    ("list", "enterprise list page", "/enterprises/", {}, 100),
    ("list", "enterprise API list", "/api/v1/enterprises/", {}, 100),
    ("list", "督办台", "/escalation/", {}, 100),
    ("search", "hazard API search, no match", "/api/v1/hazards/", {"q": "平台护栏缺失"}, 150),
    ("search", "hazard search, a description word", "/hazards/", {"q": "配电箱"}, 150),
    ("search", "enterprise search, pinyin initials", "/enterprises/", {"q": "dsjx"}, 150),
    ("dashboard", "hazard figures page", "/hazards/figures/", {}, 200),
    ("dashboard", "cockpit (领导驾驶舱)", "/cockpit/", {}, 200),
    ("dashboard", "动态清零 page", "/hazards/clearance/", {}, 200),
]
RATIO = 1.5


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _samples(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def rows_query(user: Any, url: str, params: dict[str, str]) -> Callable[[], Any] | None:
    """The first page of the rows the view at ``url`` shows ``user``, as a function to time; None for a page that
    is not a list."""
    from django.test import RequestFactory
    from django.urls import resolve

    from core.listing import ScopedListView

    match = resolve(url)
    request = RequestFactory().get(url, params)
    request.user = user
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and issubclass(view_class, ScopedListView):
        view = view_class()
        view.setup(request, *match.args, **match.kwargs)
        _, qs, _ = view.rows(request)
        size = view.paginate_by
        return lambda: list(qs[:size])
    cls = getattr(match.func, "cls", None)
    if cls is not None and getattr(match.func, "actions", {}).get("get") == "list":
        view = cls(**getattr(match.func, "initkwargs", {}))
        view.action_map, view.action, view.args, view.kwargs, view.format_kwarg = match.func.actions, "list", (), {}, None
        view.request = view.initialize_request(request)
        qs = view.filter_queryset(view.get_queryset())
        size = getattr(view.paginator, "page_size", None) or 50
        return lambda: list(qs[:size])
    return None


def transition_times(repeat: int) -> list[float]:
    """An enterprise user's hazard moved 申请验收 ⇄ 退回整改 through the API (the full service: lock, checks,
    save, domain event, change event, notifications); the hazard is made for the run through the services."""
    from django.test import Client

    from core.audit import Source, audit_context
    from hazards.choices import Grade, Status
    from hazards.tests.factories import drive_to, enterprise_hazard
    from tests.personas import build_world

    with audit_context(source=Source.COMMAND):
        world = build_world()
        hazard = drive_to(world, enterprise_hazard(world, grade=Grade.GENERAL), Status.RECTIFYING,
                          responsible="enterprise_a")
    client = Client()
    client.force_login(world.users["enterprise_a"])
    url = f"/api/v1/hazards/{hazard.pk}/transition/"
    times = []
    for i in range(repeat * 2):
        body = {"to": "applied", "result": "基准：已整改"} if i % 2 == 0 else {"to": "rectifying", "note": "基准：退回"}
        start = time.perf_counter()
        answer = client.post(url, body, content_type="application/json")
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.content[:300]
    return times


def verdict(what: str, measured: float, target: float, unit: str = "ms") -> str:
    return f"GOAL {what} {measured:.1f}{unit} ≤{target:g}{unit} {'ok' if measured <= target else 'MISSED'}"


def run_script(args: list[str], env: dict[str, str] | None = None) -> None:
    """Run another bench script, echoing its output (its own GOAL lines included)."""
    print(f"\n$ {' '.join(args)}", flush=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-u", *args], cwd=ROOT, check=False,
                   env={**os.environ, **(env or {})})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--personas", default=",".join(PERSONAS))
    parser.add_argument("--only", default="", help="measure only these goals (comma-separated: home, list, "
                        "dashboard, search) or requests by label (e.g. 督办台), and no transition")
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--import", dest="import_", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.startup import collect_static_if_needed
    from enterprises.models import Enterprise
    from hazards.models import Hazard

    collect_static_if_needed(lambda line: None)
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Hazard._meta.db_table])
        hazards = cur.fetchone()[0]
    print(f"database: {connection.vendor}  hazards ≈ {hazards:,}  enterprises ≈ {Enterprise.objects.count():,}  "
          f"users {User.objects.count():,}  repeat {args.repeat}")
    print(f"{'persona':<15} {'request':<42} {'p50':>7} {'p95':>7} {'rows':>6} {'ratio':>6} {'SQL':>4}  target")
    worst: dict[str, tuple[float, str]] = {}
    only = set(filter(None, args.only.split(",")))
    ratios: list[tuple[float, str]] = []
    for key in args.personas.split(","):
        user = User.objects.get(username=key)
        client = Client()
        client.force_login(user)
        for goal, label, url, params, target in REQUESTS:
            if only and goal not in only and label not in only:
                continue
            answer = client.get(url, params)
            if answer.status_code in (403, 404):
                continue  # not this persona's page
            assert answer.status_code == 200, (key, url, answer.status_code)
            statements: list[str] = []
            with connection.execute_wrapper(lambda run, sql, *rest, seen=statements: seen.append(sql) or run(sql, *rest)):
                client.get(url, params)
            whole = _samples(lambda url=url, params=params, client=client: client.get(url, params), args.repeat)
            p50, p95 = statistics.median(whole), _p95(whole)
            rows = rows_query(User.objects.get(pk=user.pk), url, params)
            raw = statistics.median(_samples(rows, args.repeat)) if rows else None
            ratio = p50 / raw if raw else None
            print(f"{key:<15} {label:<42} {p50:7.1f} {p95:7.1f} {raw or 0:6.1f} {ratio or 0:6.1f} {len(statements):>4}"
                  f"  p95 ≤ {target:g}" + (f", ≤ {RATIO}× rows" if goal == "list" else ""), flush=True)
            if p95 > worst.get(goal, (-1.0, ""))[0]:
                worst[goal] = (p95, f"{key} {label}")
            if goal == "list" and ratio is not None:
                ratios.append((ratio, f"{key} {label}"))
    times = transition_times(args.repeat) if not only else []
    if times:
        print(f"{'enterprise_a':<15} {'hazard transition (API)':<42} {statistics.median(times):7.1f} "
              f"{_p95(times):7.1f}")
    print()
    targets = {goal: target for goal, _, _, _, target in REQUESTS}
    for goal in ("list", "home", "dashboard", "search"):
        if goal in worst:
            p95, where = worst[goal]
            print(verdict(f"{goal}_p95_worst", p95, targets[goal]) + f"  ({where})")
    if ratios:
        ratio, where = max(ratios)
        print(f"GOAL list_ratio_worst {ratio:.1f}× ≤{RATIO}× {'ok' if ratio <= RATIO else 'MISSED'}  ({where})")
    if times:
        print(verdict("transition_p95", _p95(times), 50))
    connection.close()
    if args.load:
        run_script(["bench/load.py", "--existing", "--server", "gunicorn", "--users", "100", "--seconds", "60",
                    "--overdue", "50000"])
    if args.sweep:
        run_script(["bench/escalation_sweep.py", "1000000"],
                   {"DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/goals_sweep"})
    if args.import_:
        run_script(["bench/enterprise_import.py"],
                   {"DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/goals_import"})


if __name__ == "__main__":
    main()
