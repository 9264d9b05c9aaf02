from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core import audit
from core.chain import verify_chain
from core.models import AppendOnlyError, ChainHead, ChangeEvent
from enterprises import services as enterprise_services
from tests.personas import World


def _tamper(sql: str, params: list[object]) -> None:
    """Simulate someone with database access: bypass the append-only trigger, then write."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_changeevent DISABLE TRIGGER core_changeevent_append_only")
        else:
            cur.execute("DROP TRIGGER core_changeevent_no_update")
            cur.execute("DROP TRIGGER core_changeevent_no_delete")
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


def test_each_write_appends_one_linked_event_with_before_and_after(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    head_before = ChainHead.objects.get(pk=1).last_seq
    enterprise_services.enterprise_update(actor=None, enterprise=ent, address="新地址1号", phone="0731-1")
    events = list(ChangeEvent.objects.filter(seq__gt=head_before).order_by("seq"))
    assert len(events) == 1
    ev = events[0]
    assert ev.object_type == "enterprises.enterprise" and ev.object_id == str(ent.pk)
    assert ev.changes["address"][1] == "新地址1号"
    assert ev.changes["phone"] == ["", "0731-1"]
    assert ev.source == "command"
    previous = ChangeEvent.objects.get(seq=ev.seq - 1)
    assert ev.prev_hash == previous.hash
    assert verify_chain().ok


def test_unchanged_save_records_nothing(world: World) -> None:
    ent = world.enterprises["ent_b1"]
    head = ChainHead.objects.get(pk=1).last_seq
    enterprise_services.enterprise_update(actor=None, enterprise=ent, address=ent.address)
    assert ChainHead.objects.get(pk=1).last_seq == head


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


def test_verify_detects_a_changed_event(world: World) -> None:
    events = _write_some(world, 3)
    target = events[1]
    _tamper("UPDATE core_changeevent SET changes = %s WHERE seq = %s", ['{"address": ["a", "forged"]}', target.seq])
    report = verify_chain()
    assert not report.ok
    assert any(f"#{target.seq}" in p and "篡改" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify_history")


def test_verify_detects_a_deleted_event(world: World) -> None:
    events = _write_some(world, 3)
    target = events[1]
    _tamper("DELETE FROM core_changeevent WHERE seq = %s", [target.seq])
    report = verify_chain()
    assert any("缺失" in p for p in report.problems)
    assert any("断裂" in p for p in report.problems)


def test_verify_detects_events_cut_from_the_end(world: World) -> None:
    events = _write_some(world, 2)
    _tamper("DELETE FROM core_changeevent WHERE seq = %s", [events[0].seq])
    report = verify_chain()
    assert any("链头" in p for p in report.problems)


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
