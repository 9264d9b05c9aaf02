"""The change log range-partitioned by seq on PostgreSQL (core/partitions.py, migration core 0008).

The whole suite runs on the partitioned table when it runs on PostgreSQL; these tests check the partitions
themselves: room ahead of the sequence, the default partition as a safety net, append-only on every partition,
verification across partitions, and the migration both ways on an installation with events."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core import partitions
from core.audit import event_hash
from core.chain import seal, verify_chain
from core.models import ChangeEvent
from core.tests.tampering import bypass_append_only

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL's")]


def _top() -> int:
    return max(p.upper for p in partitions.partitions() if p.upper is not None)


def _next_seq() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT last_value FROM {partitions.SEQUENCE}")
        return int(cur.fetchone()[0])


def _event(seq: int) -> ChangeEvent:
    ev = ChangeEvent(seq=seq, occurred_at=timezone.now(), actor_label="", source="command", request_id="partition",
                     action="core.test", object_type="core.test", object_id=str(seq), object_repr="",
                     changes={"n": seq}, note="", prev_hash="")
    ev.hash = event_hash(ev.hashed_payload())
    ev.save(force_insert=True)
    return ev


def _home(seq: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM core_changeevent WHERE seq = %s", [seq])
        return cur.fetchone()[0]


def test_the_change_log_is_partitioned_with_room_ahead_of_the_sequence(settings) -> None:
    found = partitions.partitions()
    assert partitions.is_partitioned()
    assert found[0].name == "core_changeevent_0" and found[0].lower is None
    assert found[-1].is_default and found[-1].name == partitions.DEFAULT_PARTITION
    ranged = [p for p in found if not p.is_default]
    assert all(a.upper == b.lower for a, b in zip(ranged, ranged[1:], strict=False)), "the ranges have a gap"
    assert _top() >= _next_seq() + partitions.AHEAD * settings.AUDIT_PARTITION_SIZE
    assert partitions.ensure_partitions() == []  # already there: nothing to do


def test_ensure_partitions_adds_contiguous_partitions_and_new_events_land_in_them(settings) -> None:
    top, size = _top(), settings.AUDIT_PARTITION_SIZE
    created = partitions.ensure_partitions(ahead=partitions.AHEAD + 2)
    assert created == [f"core_changeevent_{top}", f"core_changeevent_{top + size}"]
    assert _top() == top + 2 * size
    assert partitions.ensure_partitions(ahead=partitions.AHEAD + 2) == []
    ev = _event(top + size + 7)
    assert _home(ev.seq) == f"core_changeevent_{top + size}"
    assert _home(_event(top + 3).seq) == f"core_changeevent_{top}"


def test_numbers_past_every_partition_go_to_the_default_and_are_never_covered_later(caplog, settings) -> None:
    top, size = _top(), settings.AUDIT_PARTITION_SIZE
    stray = _event(top + 5)
    assert _home(stray.seq) == partitions.DEFAULT_PARTITION
    with caplog.at_level(logging.WARNING, logger="core.partitions"):
        created = partitions.ensure_partitions(ahead=partitions.AHEAD + 2)
    assert created[0] == f"core_changeevent_{top + 6}"
    assert "lie in core_changeevent_default" in caplog.text
    assert _home(stray.seq) == partitions.DEFAULT_PARTITION  # not moved: the event stays where it was written
    assert _home(_event(top + 6).seq) == f"core_changeevent_{top + 6}"
    assert _top() >= top + 6 + size


@pytest.mark.parametrize("statement", [
    "UPDATE core_changeevent SET note = 'x' WHERE seq = %s",
    "UPDATE core_changeevent_0 SET note = 'x' WHERE seq = %s",
    "DELETE FROM core_changeevent_0 WHERE seq = %s",
    "TRUNCATE core_changeevent",
])
def test_no_partition_takes_an_update_a_delete_or_a_truncate(statement: str) -> None:
    ev = _event(_next_seq() + 1_000)
    assert _home(ev.seq) == "core_changeevent_0"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement, [ev.seq] if "%s" in statement else None)
    assert ChangeEvent.objects.filter(seq=ev.seq, note="").exists()


def test_verification_reads_blocks_across_partitions_and_finds_a_row_removed_from_one(settings) -> None:
    seal()
    top = _top()
    partitions.ensure_partitions(ahead=partitions.AHEAD + 1)
    seqs = [top - 2, top - 1, top, top + 1]  # two in the last partition, two in the new one
    for seq in seqs:
        _event(seq)
    seal()
    assert {_home(s) for s in seqs} == {p.name for p in partitions.partitions()
                                        if p.upper in (top, top + settings.AUDIT_PARTITION_SIZE)}
    assert verify_chain().ok
    with connection.cursor() as cur:
        bypass_append_only(cur, connection.vendor)
        cur.execute(f"DELETE FROM core_changeevent_{top} WHERE seq = %s", [top + 1])
    report = verify_chain()
    assert not report.ok


def test_the_migration_moves_an_installations_events_into_partitions_and_back(tmp_path: Path) -> None:
    from core.tests.installation import create_installation

    inst = create_installation(tmp_path / "inst")
    try:
        events = inst.query("SELECT count(*), max(seq) FROM core_changeevent")[0]
        assert events[0] > 0
        inst.manage("migrate", "core", "0007", "-v0")
        assert inst.query("SELECT count(*) FROM pg_partitioned_table "
                          "WHERE partrelid = to_regclass('core_changeevent')") == [(0,)]
        assert inst.query("SELECT count(*), max(seq) FROM core_changeevent")[0] == events
        inst.manage("migrate", "-v0")
        assert inst.query("SELECT count(*), max(seq) FROM core_changeevent")[0] == events
        assert inst.query("SELECT count(*) FROM core_changeevent_0")[0][0] == events[0]
        names = {row[0] for row in inst.query("SELECT indexname FROM pg_indexes WHERE tablename = 'core_changeevent'")}
        assert {"core_event_object", "core_event_actor", "core_changeevent_pkey"} <= names
        inst.manage("verify_history")
        inst.manage("load_escalation_defaults")  # new ladders: events appended through the partitioned parent
        assert inst.query("SELECT count(*) FROM core_changeevent")[0][0] > events[0]
        assert inst.query("SELECT count(*) FROM core_changeevent_default")[0][0] == 0
        inst.manage("verify_history")
    finally:
        inst.drop()
