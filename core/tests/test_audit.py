from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core import audit
from core.audit import event_hash
from core.chain import block_of, seal, verify_chain
from core.models import AppendOnlyError, ChainBlock, ChangeEvent, UnsealedEvent
from core.tests.tampering import bypass_append_only
from enterprises import services as enterprise_services
from tests.personas import World


def _tamper(sql: str, params: list[object]) -> None:
    """Simulate someone with database access: bypass the append-only triggers, then write."""
    with connection.cursor() as cur:
        bypass_append_only(cur, connection.vendor)
        cur.execute(sql, params)


def _write_some(world: World, n: int = 3) -> list[ChangeEvent]:
    ent = world.enterprises["ent_a1"]
    for i in range(n):
        enterprise_services.enterprise_update(actor=None, enterprise=ent, address=f"测试地址{i}")
    return list(ChangeEvent.objects.for_object(ent).order_by("-seq")[:n])


def test_write_outside_audit_context_is_refused(world: World) -> None:
    token = audit._current.set(None)
    try:
        with pytest.raises(audit.AuditContextMissing):
            enterprise_services.enterprise_update(actor=None, enterprise=world.enterprises["ent_a1"], address="x")
    finally:
        audit._current.reset(token)


def _last_seq() -> int:
    return ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_each_write_appends_one_self_hashed_event_with_before_and_after(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    before = _last_seq()
    enterprise_services.enterprise_update(actor=None, enterprise=ent, address="新地址1号", phone="0731-1")
    events = list(ChangeEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert len(events) == 1
    ev = events[0]
    assert ev.object_type == "enterprises.enterprise" and ev.object_id == str(ent.pk)
    assert ev.changes["address"][1] == "新地址1号"
    assert ev.changes["phone"] == ["", "0731-1"]
    assert ev.source == "command"
    # Its own HMAC, seq included; no link to another event; queued for the sealer by the insert trigger.
    assert ev.prev_hash == "" and ev.hash == event_hash(ev.hashed_payload())
    assert UnsealedEvent.objects.filter(seq=ev.seq).exists() and block_of(ev.seq) is None
    assert verify_chain().ok
    blocks = seal()
    assert blocks and block_of(ev.seq) == blocks[-1] and not UnsealedEvent.objects.exists()
    assert verify_chain().ok and seal() == []


def test_unchanged_save_records_nothing(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    count = ChangeEvent.objects.count()
    enterprise_services.enterprise_update(actor=None, enterprise=ent, address=ent.address)
    assert ChangeEvent.objects.count() == count


def test_record_takes_no_lock_on_a_shared_row(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        audit.record(action="enterprises.update", obj=ent, changes={"address": ["a", "b"]})
    statements = [q["sql"].upper() for q in ctx.captured_queries]
    assert not any("FOR UPDATE" in sql or "CHAINHEAD" in sql for sql in statements), statements


def test_orm_cannot_update_or_delete_events(world: World) -> None:
    ev = _write_some(world, 1)[0]
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()
    with pytest.raises(AppendOnlyError):
        ChangeEvent.objects.filter(seq=ev.seq).update(note="x")
    with pytest.raises(AppendOnlyError):
        ChangeEvent.objects.filter(seq=ev.seq).delete()


def test_database_trigger_refuses_raw_update(world: World) -> None:
    ev = _write_some(world, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_changeevent SET note = %s WHERE seq = %s", ["forged", ev.seq])


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "not yet sealed"])
def test_verify_detects_a_changed_event(world: World, sealed: bool) -> None:
    events = _write_some(world, 3)
    if sealed:
        seal()
    target = events[1]
    _tamper("UPDATE core_changeevent SET changes = %s WHERE seq = %s", ['{"address": ["a", "forged"]}', target.seq])
    report = verify_chain()
    assert not report.ok
    assert any(f"#{target.seq}" in p and "篡改" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify_history")


@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "not yet sealed"])
def test_verify_detects_a_deleted_event(world: World, sealed: bool) -> None:
    events = _write_some(world, 3)
    if sealed:
        seal()
    target = events[1]
    _tamper("DELETE FROM core_changeevent WHERE seq = %s", [target.seq])
    report = verify_chain()
    assert any("缺失" in p and f"#{target.seq}" in p for p in report.problems), report.problems


def test_verify_detects_two_events_swapped(world: World) -> None:
    a, b = _write_some(world, 2)
    seal()
    _tamper("UPDATE core_changeevent SET seq = -1 WHERE seq = %s", [a.seq])
    _tamper("UPDATE core_changeevent SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    _tamper("UPDATE core_changeevent SET seq = %s WHERE seq = -1", [b.seq])
    report = verify_chain()
    assert any(f"#{a.seq}" in p and "篡改" in p for p in report.problems)


def test_verify_detects_an_event_slipped_in_behind_the_log(world: World) -> None:
    ev = _write_some(world, 1)[0]
    seal()
    forged_seq = _last_seq() + 10
    _tamper("INSERT INTO core_changeevent (seq, occurred_at, actor_label, source, request_id, action, success, "
            "object_type, object_id, object_repr, changes, note, prev_hash, hash) "
            "SELECT %s, occurred_at, actor_label, source, request_id, action, success, object_type, object_id, "
            "object_repr, changes, 'forged', prev_hash, %s FROM core_changeevent WHERE seq = %s",
            [forged_seq, "e" * 64, ev.seq])
    report = verify_chain()
    assert any(f"#{forged_seq}" in p and "篡改" in p for p in report.problems)  # queued by the trigger, hash wrong
    _tamper("DELETE FROM core_unsealedevent WHERE seq = %s", [forged_seq])
    report = verify_chain()
    assert any(f"#{forged_seq}" in p and "既不在任何区块中" in p for p in report.problems)


def test_verify_detects_an_edited_or_removed_block(world: World) -> None:
    _write_some(world, 2)
    seal()
    _write_some(world, 2)
    last = seal()[-1]
    _tamper("UPDATE core_chainblock SET ranges = %s WHERE number = %s", ["[[1, 1]]", last.number])
    assert any(f"区块 #{last.number}" in p and "篡改" in p for p in verify_chain().problems)


def test_verify_detects_the_last_block_cut_without_rewinding_the_head(world: World) -> None:
    _write_some(world, 2)
    last = seal()[-1]
    _tamper("DELETE FROM core_chainblock WHERE number = %s", [last.number])
    report = verify_chain()
    assert any("链头" in p for p in report.problems) and any("既不在任何区块中" in p for p in report.problems)


def test_sealing_fills_bounded_blocks_and_leaves_nothing_behind(world: World) -> None:
    _write_some(world, 5)
    blocks = seal(limit=2)
    assert len(blocks) >= 3 and all(b.count <= 2 for b in blocks) and not UnsealedEvent.objects.exists()
    numbers = list(ChainBlock.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert verify_chain().ok


def test_verify_command_passes_on_an_intact_chain(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _write_some(world, 2)
    call_command("verify_history")
    assert "校验通过" in capsys.readouterr().out


def test_history_rows_speak_the_users_language(world: World) -> None:
    ent = world.enterprises["ent_b2"]
    enterprise_services.enterprise_update(actor=None, enterprise=ent, address="历史地址", above_scale=True)
    ev = ChangeEvent.objects.for_object(ent).latest("seq")
    rows = {label: (before, after) for label, before, after in ev.change_rows}
    assert rows["地址"][1] == "历史地址"
    assert rows["规模以上"] == ("否", "是")
