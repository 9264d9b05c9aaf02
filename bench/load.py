"""Load test (issue 13, lever 7): N simulated users on the realistic mix against a real local server, alone and
while the escalation sweep or a 50,000-row enterprise import runs. Local only and bounded (``--seconds`` per
phase); needs the ``bench`` extra (locust).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/load.py \\
        [--users 100] [--seconds 60] [--phases alone,sweep,import] [--server serve|gunicorn] [--hazards 20000]
        [--existing]   on the database as it is (bench/generate.py's province), not a fresh NAME_load
        [--wait 5,15]  each user's pause between actions (default 1,3)
        [--spawn-rate 2]  users arrive at 2 a second and the figures start once all are in (warm-up)

Makes (and afterwards drops) the database NAME_load: the personas of tests/personas.py, ``--hazards`` hazards on
their enterprises, ``--overdue`` overdue 督办事项 for the sweep, and 100 hazards in 整改中 the enterprise users
move back and forth. Starts ``manage.py serve`` (waitress, 8 threads, no background worker) or gunicorn
(docs/DEPLOY.md: 4 workers × 4 threads) on a free local port, runs locust headless (the users of
bench/load_locust.py: login, home, lists, details, transitions, exports, re-logins), and prints per request kind
p50/p95 and errors, per phase, and whether any login failed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench/load.py runs on PostgreSQL: set DATABASE_URL=postgres://…/NAME")
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_load"


def prepare(hazards: int, overdue: int, *, fresh: bool = True) -> dict[str, list[int]]:
    """The personas and the data (in a fresh database, or added to the one given with ``fresh=False``: the data
    of bench/generate.py); returns each enterprise persona's hazards in 整改中."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if fresh:
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    call_command("load_orgs", verbosity=0)
    call_command("load_calendar", verbosity=0)
    call_command("load_escalation_defaults", verbosity=0)
    from django.utils import timezone

    from core.audit import Source, audit_context
    from hazards.choices import Grade, Status
    from hazards.models import Hazard
    from hazards.tests.factories import drive_to, enterprise_hazard
    from tests.personas import build_world

    with audit_context(source=Source.COMMAND):
        world = build_world()
        moving: dict[str, list[int]] = {"enterprise_a": [], "enterprise_b": []}
        firsts = {}
        for key, ent in (("enterprise_a", "ent_a1"), ("enterprise_b", "ent_b1")):
            hazard = enterprise_hazard(world, actor_key=key, enterprise_key=ent, grade=Grade.GENERAL)
            firsts[key] = drive_to(world, hazard, Status.RECTIFYING, responsible=key)
        template = firsts["enterprise_a"]
    # Benchmark data, not business writes: copies of a hazard in 整改中 (one per enterprise user, so that no two
    # virtual users move the same one), and copies on every persona enterprise for the lists.
    fields = [f for f in Hazard._meta.concrete_fields if not f.primary_key]
    clones = {key: [Hazard(**{f.attname: getattr(first, f.attname) for f in fields}) for _ in range(60)]
              for key, first in firsts.items()}
    rows = []
    ents = list(world.enterprises.values())
    today = timezone.localdate()
    for i in range(hazards):
        h = Hazard(**{f.attname: getattr(template, f.attname) for f in fields})
        ent = ents[i % len(ents)]
        h.enterprise_id, h.jurisdiction_id, h.jurisdiction_path = ent.pk, ent.jurisdiction_id, ent.jurisdiction_path
        h.number, h.description = f"B{i:07d}", f"压力测试隐患{i}"
        h.status = [Status.RECTIFYING, Status.CLOSED, Status.PLANNED][i % 3]
        h.deadline = today - dt.timedelta(days=i % 90 - 30)
        rows.append(h)
    from core.bulk import insert_objects

    with audit_context(source=Source.COMMAND):
        from django.db import transaction

        with transaction.atomic():
            insert_objects(rows)
            for key, hazards_ in clones.items():
                insert_objects(hazards_)
                moving[key] = [firsts[key].pk, *(h.pk for h in hazards_)]
    if overdue:
        from bench.escalation_sweep import generate_items
        from orgs.choices import UnitKind
        from orgs.models import Unit
        from workdays.services import add_workdays

        units = list(Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.DEPARTMENT], active=True)[:30])
        deadlines = [add_workdays(today, -25), add_workdays(today, -12), add_workdays(today, -3)]
        generate_items(overdue, units, deadlines, world.users["office"].pk)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    connection.close()
    return moving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    if kind == "gunicorn":
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "anzhi.wsgi:application", "--workers", "4", "--threads",
               "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    else:
        cmd = [PY, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-background"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the server did not start: {server.stderr.read().decode()[-2000:] if server.stderr else ''}")


BACKGROUND = {
    "sweep": "from escalation.services import sweep; r = sweep(); print('sweep', r.applied, r.proposed, r.errors[:3])",
    "import": (
        "import io; from bench.enterprise_import import generate; from core.audit import Source, audit_context; "
        "from enterprises.importer import import_enterprises; from enterprises.models import Enterprise; "
        # New enterprises every run (numbers after those an earlier run imported): 50,000 rows really written.
        "done = Enterprise.objects.filter(credit_code__startswith='91430381BM').count(); "
        "data = generate(50000, start=1 + done); "
        "import time; t = time.perf_counter()\n"
        "with audit_context(source=Source.IMPORT):\n"
        "    r = import_enterprises(actor=None, file=io.BytesIO(data))\n"
        "print('import', r.ok, r.created, round(time.perf_counter() - t, 1), 's', r.timings)"),
}


def background(kind: str, env: dict[str, str], delay: float = 0) -> subprocess.Popen:
    """The job beside a phase, started after ``delay`` seconds (the warm-up: so that it runs while the figures
    are taken, not while the users arrive)."""
    code = (f"import time; time.sleep({delay:g})\n"
            "import os, sys; sys.path.insert(0, '.'); os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'anzhi.settings'); import django; django.setup()\n" + BACKGROUND[kind])
    # As the worker runs it (core.background.WORKER_NICE, docs/DEPLOY.md): at a lower CPU priority than the web.
    from core.background import WORKER_NICE

    return subprocess.Popen(["nice", "-n", str(WORKER_NICE), PY, "-c", code], cwd=ROOT,
                            env={**env, "ANZHI_IMPORT_MAX_ROWS": "100000", "ANZHI_IMPORT_MAX_BYTES": str(1 << 30)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_locust(port: int, users: int, seconds: int, env: dict[str, str], out: Path, spawn_rate: float = 0,
               ) -> list[dict[str, str]]:
    """One phase. With ``spawn_rate`` the users arrive at that rate (each logging in) and the figures start once
    all are in (``--reset-stats``): the phase measures ``seconds`` of the steady mix, whose logins are the
    re-logins of the mix. Without it, 1/10 of the users a second and everything counted, arrivals included."""
    rate = spawn_rate or max(1, users // 10)
    ramp = users / rate if spawn_rate else 0
    cmd = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "load_locust.py"), "--headless",
           "-u", str(users), "-r", f"{rate:g}", "-t", f"{seconds + int(ramp + 0.999)}s",
           "--host", f"http://127.0.0.1:{port}",
           "--csv", str(out), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0",
           *(["--reset-stats"] if spawn_rate else [])]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{out}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def _goals(results: dict[str, list[dict[str, str]]]) -> None:
    """The goal lines (bench/goals.py): every phase 0 errors and p95 ≤ 1 s over all requests; a phase with a job
    running beside it within 1.5× of the phase alone; no failed login."""
    aggregated = {phase: next((r for r in rows if r["Name"] == "Aggregated"), None) for phase, rows in results.items()}
    alone = aggregated.get("alone")
    for phase, row in aggregated.items():
        if row is None:
            continue
        p95, errors = float(row["95%"] or 0), int(row["Failure Count"])
        print(f"GOAL load_{phase}_p95 {p95:.0f}ms ≤1000ms {'ok' if p95 <= 1000 else 'MISSED'}")
        print(f"GOAL load_{phase}_errors {errors} ≤0 {'ok' if errors == 0 else 'MISSED'}")
        if phase != "alone" and alone is not None and float(alone["95%"] or 0):
            ratio = p95 / float(alone["95%"])
            print(f"GOAL load_{phase}_vs_alone {ratio:.2f}× ≤1.5× {'ok' if ratio <= 1.5 else 'MISSED'}")
    failed = sum(int(r["Failure Count"]) for rows in results.values() for r in rows if r["Name"] == "login")
    print(f"GOAL load_failed_logins {failed} ≤0 {'ok' if failed == 0 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--phases", default="alone,sweep,import")
    parser.add_argument("--server", choices=["serve", "gunicorn"], default="serve")
    parser.add_argument("--hazards", type=int, default=20000)
    parser.add_argument("--overdue", type=int, default=100000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--wait", default="1,3",
                        help="each user's pause between two actions, min,max seconds (default 1,3; a person at a desk "
                             "reading a page and filling a form pauses 5–15 s or more)")
    parser.add_argument("--spawn-rate", type=float, default=0,
                        help="users arriving per second, measured once all are in (warm-up: their first logins are "
                             "not counted, the mix's re-logins are); default: 1/10 of the users a second, all counted")
    parser.add_argument("--existing", action="store_true",
                        help="run on the database DATABASE_URL names as it is (filled by bench/generate.py), adding "
                             "only the hazards the users move and the overdue items; never dropped")
    args = parser.parse_args()
    if args.existing:
        url = os.environ["DATABASE_URL"]
        args.hazards, args.keep = 0, True
    else:
        url = os.environ["DATABASE_URL"] = _database_url()
    t = time.perf_counter()
    moving = prepare(args.hazards, args.overdue, fresh=not args.existing)
    os.environ["DATABASE_URL"] = url  # importing another bench script renames it
    print(f"数据准备：{time.perf_counter() - t:.0f} 秒（{args.hazards} 项隐患，{args.overdue} 项逾期督办事项）")
    var = Path(tempfile.gettempdir()) / "anzhi-load"  # kept between runs: collectstatic once
    var.mkdir(exist_ok=True)
    env = {**os.environ, "DJANGO_DEBUG": "0", "ANZHI_VAR_DIR": str(var), "LOAD_HAZARDS": json.dumps(moving),
           "LOAD_WAIT": args.wait,
           "DJANGO_SETTINGS_MODULE": "anzhi.settings"}
    port = _free_port()
    server = start_server(args.server, port, env)
    results: dict[str, list[dict[str, str]]] = {}
    try:
        for phase in args.phases.split(","):
            ramp = args.users / args.spawn_rate if args.spawn_rate else 0
            job = background(phase, env, delay=ramp) if phase in BACKGROUND else None
            rows = run_locust(port, args.users, args.seconds, env, var / phase, args.spawn_rate)
            results[phase] = rows
            if job is not None:
                if job.poll() is None:
                    print(f"  （{phase}：负载结束时后台任务仍在运行）")
                    job.terminate()
                    job.wait(timeout=60)
                else:
                    print(f"  后台任务：{(job.stdout.read() if job.stdout else '').strip()[-300:]}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"\n{args.users} 个用户，每阶段 {args.seconds} 秒，服务器 {args.server}，PostgreSQL，操作间隔 {args.wait} 秒，"
          + (f"每秒进入 {args.spawn_rate:g} 人（进入期不计）" if args.spawn_rate else "进入期计入"))
    print("| phase | request | requests | failures | p50 ms | p95 ms | req/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for phase, rows in results.items():
        for row in rows:
            print(f"| {phase} | {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | "
                  f"{row['95%']} | {float(row['Requests/s']):.1f} |")
    for phase, rows in results.items():
        logins = [r for r in rows if r["Name"] == "login"]
        failed = sum(int(r["Failure Count"]) for r in logins)
        print(f"{phase}：登录 {sum(int(r['Request Count']) for r in logins)} 次，失败 {failed} 次"
              + ("（从未失败）" if not failed else ""))
    _goals(results)
    if not args.keep:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
