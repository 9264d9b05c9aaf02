"""Benchmark: the hourly escalation sweep over many overdue and due-soon supervision items.

Creates N 督办事项 (a third overdue past every ladder step, a third overdue by a few working days, a third
due soon), then times: the first sweep (records, audit events, notifications), a re-run (idempotent:
nothing new), and the 督办台 counts for the office. Throw-away database as in the other benchmarks.

    .venv/bin/python bench/escalation_sweep.py [items]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="anzhi-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
else:
    base, _, name = os.environ["DATABASE_URL"].rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    created_db = False
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        created_db = True
    call_command("migrate", verbosity=0)
    call_command("load_orgs", verbosity=0)
    call_command("load_calendar", verbosity=0)
    call_command("load_escalation_defaults", verbosity=0)

    from accounts import services as account_services
    from accounts.choices import Role
    from core.audit import Source, audit_context
    from escalation import selectors
    from escalation.models import EscalationRecord, SupervisionItem
    from escalation.services import sweep
    from notifications.models import Notification
    from orgs.choices import UnitKind
    from orgs.models import Unit
    from workdays.services import add_workdays

    today = dt.date(2024, 3, 20)
    units = list(Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.DEPARTMENT], active=True)[:30])
    with audit_context(source=Source.COMMAND):
        office = account_services.user_create(actor=None, username="bench_office", password="Qz7#rTw9!kLp",
                                              unit=Unit.objects.filter(kind=UnitKind.OFFICE).first())
        account_services.role_grant(actor=None, user=office, role=Role.OFFICE)
        for i, unit in enumerate(units):
            u = account_services.user_create(actor=None, username=f"bench_u{i}", password="Qz7#rTw9!kLp", unit=unit)
            account_services.role_grant(actor=None, user=u, role=Role.TOWNSHIP if unit.kind == UnitKind.TOWNSHIP
                                        else Role.REGULATOR)
    deadlines = [add_workdays(today, -25), add_workdays(today, -3), add_workdays(today, 2)]
    t = time.perf_counter()
    SupervisionItem.objects.bulk_create([
        SupervisionItem(title=f"督办事项{i}", assignee=units[i % len(units)],
                        jurisdiction_path=units[i % len(units)].jurisdiction_path, deadline=deadlines[i % 3],
                        original_deadline=deadlines[i % 3]) for i in range(n)], batch_size=2000)
    print(f"生成 {n} 项督办事项：{time.perf_counter() - t:.1f} 秒")
    for label in ("首次巡查", "再次巡查（应无新增）"):
        t = time.perf_counter()
        report = sweep(today=today, sources=["escalation.supervision"])
        took = time.perf_counter() - t
        print(f"{label}：{took:.1f} 秒（每项 {took / n * 1000:.1f} 毫秒）；提醒 {report.reminders}，执行 {report.applied}，"
              f"待决定 {report.proposed}，消息 {report.notifications}，出错 {len(report.errors)}")
    print(f"督办记录 {EscalationRecord.objects.count()} 条，消息 {Notification.objects.count()} 条")
    from accounts.models import User

    viewer = User.objects.get(username="bench_office")
    t = time.perf_counter()
    rows = selectors.due_summary(viewer, today=today)
    print(f"督办台计数（安委办）：{(time.perf_counter() - t) * 1000:.0f} 毫秒；"
          + "，".join(f"{r['label']} 逾期 {r['overdue']} 即将到期 {r['due_soon']}" for r in rows))
    if created_db:
        connection.close()
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
