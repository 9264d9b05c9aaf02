"""Benchmark: the escalation sweep over a backlog of overdue items (the set-based sweep, issue 13).

Creates N overdue 督办事项 on 30 units (a third past every step of the default ladder, a third past 通报 and a
proposed 约谈, a third overdue by a few working days; COPY on PostgreSQL, bulk_create on SQLite), then times:
the first sweep (records, audit events, digests), a re-run (idempotent: nothing new), and the 督办台 counts for
the office. Prints items/s, SQL statements, records, audit events and notifications written. Throw-away
database as in the other benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi .venv/bin/python bench/escalation_sweep.py [items]
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
from django.test.utils import CaptureQueriesContext  # noqa: E402


def generate_items(n: int, units: list, deadlines: list[dt.date], office_id: int) -> None:
    """Benchmark data, not business writes: COPY on PostgreSQL, bulk_create on SQLite."""
    from django.utils import timezone

    from escalation.models import SupervisionItem

    now = timezone.now()
    if connection.vendor == "postgresql":
        cols = ("title, description, assignee_id, jurisdiction_path, deadline, original_deadline, status, "
                "assigned_by_id, created_at")
        with connection.cursor() as cur, cur.cursor.copy(
                f"COPY {SupervisionItem._meta.db_table} ({cols}) FROM STDIN") as copy:
            for i in range(n):
                unit, due = units[i % len(units)], deadlines[i % len(deadlines)]
                copy.write_row((f"督办事项{i}", "", unit.pk, unit.jurisdiction_path, due, due, "open", office_id, now))
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {SupervisionItem._meta.db_table}")
        return
    for start in range(0, n, 10000):
        SupervisionItem.objects.bulk_create([
            SupervisionItem(title=f"督办事项{i}", assignee=units[i % len(units)], assigned_by_id=office_id,
                            jurisdiction_path=units[i % len(units)].jurisdiction_path,
                            deadline=deadlines[i % len(deadlines)], original_deadline=deadlines[i % len(deadlines)],
                            created_at=now) for i in range(start, min(n, start + 10000))])


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
    from accounts.models import User
    from core.audit import Source, audit_context
    from core.models import ChangeEvent
    from escalation import selectors
    from escalation.models import EscalationRecord
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
    deadlines = [add_workdays(today, -25), add_workdays(today, -12), add_workdays(today, -3)]
    t = time.perf_counter()
    generate_items(n, units, deadlines, office.pk)
    print(f"生成 {n} 项逾期督办事项（{connection.vendor}）：{time.perf_counter() - t:.1f} 秒")
    events_before = ChangeEvent.objects.count()
    for label in ("首次巡查", "再次巡查（应无新增）"):
        notes_before = Notification.objects.count()
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            report = sweep(today=today, sources=["escalation.supervision"])
        took = time.perf_counter() - t
        if label == "首次巡查":
            print(f"GOAL first_sweep_{n}_items {took:.1f}s ≤600s {'ok' if took <= 600 else 'MISSED'}")
        print(f"{label}：{took:.1f} 秒，{n / took:,.0f} 项/秒；SQL {len(ctx.captured_queries)} 条；"
              f"执行 {report.applied}，待决定 {report.proposed}，消息（新建或更新的汇总）{report.notifications}，"
              f"新增消息 {Notification.objects.count() - notes_before}，出错 {len(report.errors)}")
    print(f"督办记录 {EscalationRecord.objects.count()} 条，审计事件 {ChangeEvent.objects.count() - events_before} 条，"
          f"消息 {Notification.objects.count()} 条")
    viewer = User.objects.get(username="bench_office")
    t = time.perf_counter()
    rows = selectors.due_summary(viewer, today=today)
    print(f"督办台计数（安委办）：{(time.perf_counter() - t) * 1000:.0f} 毫秒；"
          + "，".join(f"{r['label']} 逾期 {r['overdue']} 即将到期 {r['due_soon']}" for r in rows
                     if r["key"] == "escalation.supervision"))
    if created_db:
        connection.close()
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
