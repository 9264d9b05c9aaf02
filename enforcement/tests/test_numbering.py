"""Document numbers are gap-free and unique under concurrency: the counter row is locked (select_for_update).

Threads only race for real on PostgreSQL: each writer has its own connection and commits (outside the test's
transaction), so the test removes its counter row at the end. SQLite serialises writers; it runs the sequential
check only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from core.audit import Source, audit_context
from enforcement import services
from enforcement.models import DocumentCounter
from orgs.models import Unit

pytestmark = pytest.mark.django_db
YEAR = 2039


def test_numbers_follow_one_another_per_department_year_and_kind(world: object) -> None:
    department = Unit.objects.get(name="市应急管理局")
    got = [services.next_number(department=department, kind="enforcement_order", year=YEAR) for _ in range(3)]
    assert [seq for seq, _n in got] == [1, 2, 3]
    assert got[2][1] == f"湘乡应急责改〔{YEAR}〕3号"
    assert services.next_number(department=department, kind="enforcement_record", year=YEAR)[0] == 1
    assert services.next_number(department=department, kind="enforcement_order", year=YEAR + 1)[0] == 1


def test_numbers_are_gap_free_and_unique_under_concurrency(world: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    department_id = Unit.objects.get(name="市应急管理局").pk
    numbers: list[int] = []
    errors: list[BaseException] = []
    threads, per_thread = 8, 5
    barrier = threading.Barrier(threads)

    def issue() -> None:
        try:
            department = Unit.objects.get(pk=department_id)
            barrier.wait()
            for _ in range(per_thread):
                with audit_context(source=Source.COMMAND), transaction.atomic():
                    seq, number = services.next_number(department=department, kind="enforcement_review", year=YEAR)
                    assert number.endswith(f"〔{YEAR}〕{seq}号")
                    numbers.append(seq)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def cleanup() -> None:
        try:
            DocumentCounter.objects.filter(year=YEAR, kind="enforcement_review").delete()
        finally:
            connections.close_all()

    workers = [threading.Thread(target=issue) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    last = DocumentCounter.objects.filter(year=YEAR, kind="enforcement_review").values_list("last", flat=True).first()
    janitor = threading.Thread(target=cleanup)
    janitor.start()
    janitor.join()
    assert not errors, errors
    assert sorted(numbers) == list(range(1, threads * per_thread + 1))
    assert last == threads * per_thread
