"""Concurrent writers on PostgreSQL never deadlock and never lose an event, and everything verifies once sealed.

Real threads, each with its own database connection, against a scratch copy of the test database (committed
writes, so the threads see one another): logins through the real login view, hazard transitions, a
sweep-like bulk writer (notifications referencing every user, and ``record_many``, in one long transaction —
the shape that used to deadlock logins), an import-like writer (``record_many`` of thousands of events in one
long transaction, which takes its numbers first and commits last: the sealer meets stragglers), and the sealer
itself, all at once — and next to those lookalikes the real thing: the escalation sweep
(``escalation.services.sweep``, records filed in the database, one event each, digests to every unit's users)
over overdue 督办事项, and an enterprise import through the import pipeline (COPY on PostgreSQL, one event per
created enterprise). Before blocks, every one of them queued on the chain head's row.

Skipped on SQLite: it serialises writers anyway (one write lock per database), so there is no interleaving
to test there; the sealing logic itself is covered by the property tests on both engines.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection, transaction

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = pytest.mark.skipif(not POSTGRES, reason="SQLite serialises writers: no concurrency to test")

LOGINS = 12
HAZARDS = 6
SWEEP_ROUNDS = 3
IMPORT_EVENTS = 3000
OVERDUE_ITEMS = 300  # for the real sweep (escalation.services.sweep)
IMPORT_ROWS = 400  # for the real import pipeline (enterprises.importer.import_enterprises)


@pytest.fixture
def scratch_database(db: None) -> Iterator[str]:
    """A copy of the test database (world included, by pg_dump | pg_restore) that the threads write to for real,
    dropped afterwards. This thread's own connection stays in the test's transaction on the test database; every
    other thread's connection is built from the same settings dict, now naming the copy."""
    import subprocess

    import psycopg

    params = connection.get_connection_params()
    test_name = connection.settings_dict["NAME"]
    scratch = f"{test_name[:40]}_conc_{secrets.token_hex(3)}"
    args = ["-h", str(params.get("host") or "127.0.0.1"), "-p", str(params.get("port") or 5432),
            "-U", str(params.get("user") or "postgres")]
    env = {"PGPASSWORD": str(params.get("password") or ""), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{scratch}"')
        dump = subprocess.run(["pg_dump", "-Fc", *args, test_name], check=True, env=env, capture_output=True).stdout
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args, "-d", scratch], input=dump, check=True,
                       env=env, capture_output=True)
        connection.settings_dict["NAME"] = scratch
        try:
            yield scratch
        finally:
            connection.settings_dict["NAME"] = test_name
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    finally:
        admin.close()


def _thread(errors: list[BaseException], body: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        from core.audit import Source, audit_context

        try:
            with audit_context(source=Source.SYSTEM):
                body()
        except BaseException as exc:  # noqa: BLE001 — every failure is the test's business
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _in_a_thread(body: Callable[[], None]) -> None:
    """Run ``body`` on a thread of its own, so that it talks to the scratch database; re-raise what it raised."""
    errors: list[BaseException] = []
    thread = _thread(errors, body)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "the test body hung"


def test_logins_transitions_sweep_import_and_sealer_at_once(scratch_database: str) -> None:
    _in_a_thread(_scenario)


def _scenario() -> None:
    from django.test import Client

    from accounts.models import User
    from core.audit import Source, audit_context, record_many
    from core.chain import seal, verify_chain
    from core.models import ChainBlock, ChangeEvent, UnsealedEvent
    from enterprises.models import Enterprise
    from hazards.choices import Grade, Status
    from hazards.tests.factories import drive_to, enterprise_hazard
    from notifications.services import notify
    from tests.personas import PASSWORD, build_world

    world = build_world()
    with audit_context(source=Source.COMMAND):
        hazards = [enterprise_hazard(world, grade=Grade.GENERAL) for _ in range(HAZARDS)]
    overdue, import_file = _real_work_setup(world)
    seal()
    start = time.monotonic()
    logins_before = ChangeEvent.objects.filter(action="accounts.login").count()
    errors: list[BaseException] = []
    stop = threading.Event()
    login_status: list[int] = []
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    personas = [world.users[key] for key in ("office", "township_a", "enterprise_a", "auditadmin")]

    def logins() -> None:
        for i in range(LOGINS):
            client = Client()
            user = personas[i % len(personas)]
            response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
            login_status.append(response.status_code)

    def transitions() -> None:
        for hazard in hazards:
            drive_to(world, hazard, Status.PLANNED)

    def sweep() -> None:
        for round_ in range(SWEEP_ROUNDS):
            with transaction.atomic():
                notify(title=f"并发测试催办 {round_}", users=users, dedupe_key=f"concurrency-{round_}")
                record_many((("notifications.notify", user, {"round": round_}, f"concurrency-sweep-{round_}")
                             for user in users), jsonable=True)
                time.sleep(0.3)  # hold the transaction (and the user rows' key-share locks) as a long sweep does

    def importer() -> None:
        enterprises = list(Enterprise.objects.order_by("pk"))
        with transaction.atomic():
            record_many((("enterprises.update", enterprises[i % len(enterprises)], {"n": i}, "concurrency-import")
                         for i in range(IMPORT_EVENTS)), jsonable=True, batch=500)
            time.sleep(1.0)  # commits last, with the lowest numbers: stragglers for the sealer

    sweep_reports: list = []
    import_outcomes: list = []

    def real_sweep() -> None:
        from escalation.services import sweep

        sweep_reports.append(sweep(today=SWEEP_DAY, sources=["escalation.supervision"], batch=100))

    def real_import() -> None:
        from core.audit import Source, audit_context
        from enterprises.importer import import_enterprises

        with audit_context(source=Source.IMPORT):
            import_outcomes.append(import_enterprises(actor=None, file=import_file))

    def sealer() -> None:
        while not stop.is_set():
            seal(limit=500)
            time.sleep(0.05)

    writers = [_thread(errors, body) for body in (logins, transitions, sweep, importer, real_sweep, real_import)]
    sealing = _thread(errors, sealer)
    sealing.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    stop.set()
    sealing.join(timeout=30)
    assert not any(t.is_alive() for t in [*writers, sealing]), "a writer hung"
    assert not errors, errors  # no DeadlockDetected, no lock timeout, nothing
    assert login_status == [302] * LOGINS

    # Never a lost event: every write that succeeded left its event …
    assert ChangeEvent.objects.filter(action="accounts.login").count() - logins_before == LOGINS
    for round_ in range(SWEEP_ROUNDS):
        assert ChangeEvent.objects.filter(note=f"concurrency-sweep-{round_}").count() == len(users)
    assert ChangeEvent.objects.filter(note="concurrency-import").count() == IMPORT_EVENTS
    from hazards.models import Hazard

    assert set(Hazard.objects.filter(pk__in=[h.pk for h in hazards]).values_list("status", flat=True)) == {
        Status.PLANNED}
    # The real sweep filed every step each overdue item reached, each with its event, and reported no error …
    from escalation.models import EscalationRecord

    (report,) = sweep_reports
    assert not report.errors, report.errors
    records = EscalationRecord.objects.filter(source_key="escalation.supervision", object_id__in=overdue)
    assert records.count() == report.applied + report.proposed > OVERDUE_ITEMS
    assert {r.object_id for r in records} == set(overdue)
    assert ChangeEvent.objects.filter(object_type="escalation.escalationrecord").count() == records.count()
    # … the real import created every row, all or nothing, each enterprise with its event.
    (outcome,) = import_outcomes
    assert outcome.ok and outcome.created == IMPORT_ROWS, outcome.errors[:3]
    imported = set(Enterprise.objects.filter(name__startswith="并发导入企业").values_list("pk", flat=True))
    assert len(imported) == IMPORT_ROWS
    assert {int(pk) for pk in ChangeEvent.objects.filter(action="enterprises.create", object_id__in=[
        str(pk) for pk in imported]).values_list("object_id", flat=True)} == imported
    # … and, sealed, every event sits in exactly one block, and the whole log verifies.
    seal()
    assert not UnsealedEvent.objects.exists()
    covered = [seq for block in ChainBlock.objects.all() for first, last in block.ranges
               for seq in range(first, last + 1)]
    assert len(covered) == len(set(covered)) == ChangeEvent.objects.count()
    report = verify_chain()
    assert report.ok, report.problems
    assert time.monotonic() - start < 30


SWEEP_DAY = __import__("datetime").date(2024, 3, 20)


def _real_work_setup(world: object) -> tuple[list[int], object]:
    """Overdue 督办事项 for the real sweep (the default ladder; some past every step) and a workbook of new
    enterprises for the real import."""
    import io

    import xlsxwriter
    from django.core.management import call_command

    from enterprises.credit_code import make_credit_code
    from enterprises.importer import COLUMNS
    from escalation.models import SupervisionItem
    from orgs.choices import UnitKind
    from orgs.models import Unit
    from workdays.services import add_workdays

    call_command("load_calendar", verbosity=0)
    call_command("load_escalation_defaults", verbosity=0)
    units = list(Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.DEPARTMENT], active=True)[:10])
    deadlines = [add_workdays(SWEEP_DAY, -25), add_workdays(SWEEP_DAY, -3)]
    items = SupervisionItem.objects.bulk_create([
        SupervisionItem(title=f"并发督办{i}", assignee=units[i % len(units)],
                        jurisdiction_path=units[i % len(units)].jurisdiction_path, deadline=deadlines[i % 2],
                        original_deadline=deadlines[i % 2], assigned_by=world.users["office"])
        for i in range(OVERDUE_ITEMS)])
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for j, column in enumerate(COLUMNS):
        sheet.write(0, j, column.header)
    for i in range(1, IMPORT_ROWS + 1):
        row = [f"并发导入企业{i}", make_credit_code(f"91430381CC{i:07d}"), "东山街道", "工贸", "市应急管理局", "3110",
               f"测试路{i}号", "张三", "张三", "李四", "0731-1", 50, "是", 112.5, 27.7, "是"]
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    book.close()
    buf.seek(0)
    return [item.pk for item in items], buf
