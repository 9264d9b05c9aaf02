"""Checkpoints kept outside the database: every way an attacker with database access can rewrite the change
log — including cutting its tail and rewinding ChainHead — is caught by verify_history once a checkpoint exists."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings

from core import anchor
from core.anchor import Checkpoint, checkpoint_now, read_anchor
from core.audit import chain_hash
from core.background import PERIODIC
from core.chain import verify_history
from core.models import ChainHead, ChangeEvent
from enterprises import services as enterprise_services
from tests.openapi import assert_matches_schema
from tests.personas import PASSWORD, World


def attacker(*statements: str) -> None:
    """Someone with database access: bypass the append-only trigger (the test's transaction undoes it), write."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_changeevent DISABLE TRIGGER core_changeevent_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_changeevent_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_changeevent_no_delete")
        for sql in statements:
            cur.execute(sql)


def rewind_head_to(seq: int) -> str:
    """SQL setting ChainHead back to event ``seq`` (the genesis hash for 0), as a careful attacker would."""
    if seq == 0:
        return f"UPDATE core_chainhead SET last_seq = 0, last_hash = '{anchor.GENESIS}'"
    return (f"UPDATE core_chainhead SET last_seq = {seq}, "
            f"last_hash = (SELECT hash FROM core_changeevent WHERE seq = {seq})")


def write_events(world: World, n: int = 4) -> int:
    ent = world.enterprises["ent_a1"]
    for i in range(n):
        enterprise_services.enterprise_update(actor=None, enterprise=ent, address=f"锚点测试地址{i}")
    return ChainHead.objects.get(pk=1).last_seq


def cut_tail(k: int) -> Callable[[int], None]:
    def attack(head: int) -> None:
        attacker(f"DELETE FROM core_changeevent WHERE seq > {head - k}", rewind_head_to(head - k))
    return attack


def edit_middle(head: int) -> None:
    attacker(f"UPDATE core_changeevent SET note = 'forged' WHERE seq = {head - 2}")


def reorder(head: int) -> None:
    a, b = head - 2, head - 1
    attacker(f"UPDATE core_changeevent SET seq = -1 WHERE seq = {a}",
             f"UPDATE core_changeevent SET seq = {a} WHERE seq = {b}",
             f"UPDATE core_changeevent SET seq = {b} WHERE seq = -1")


def truncate_all(head: int) -> None:
    delete = "TRUNCATE core_changeevent" if connection.vendor == "postgresql" else "DELETE FROM core_changeevent"
    attacker(delete, rewind_head_to(0))


def rewrite_with_the_key(head: int) -> None:
    """The strongest database-side attacker also holds the chain key: edit an event, recompute every later hash,
    cut the last one and rewind the head. The chain itself verifies; only the checkpoint can tell."""
    statements = []
    prev = ChangeEvent.objects.get(seq=head - 3).prev_hash
    for ev in ChangeEvent.objects.filter(seq__gte=head - 3, seq__lt=head).order_by("seq"):
        if ev.seq == head - 3:
            ev.note = "forged"
        ev.prev_hash = prev
        ev.hash = chain_hash(prev, ev.hashed_payload())
        statements.append(f"UPDATE core_changeevent SET note = '{ev.note}', prev_hash = '{ev.prev_hash}', "
                          f"hash = '{ev.hash}' WHERE seq = {ev.seq}")
        prev = ev.hash
    attacker(f"DELETE FROM core_changeevent WHERE seq = {head}", *statements,
             f"UPDATE core_chainhead SET last_seq = {head - 1}, last_hash = '{prev}'")


ATTACKS = {
    "cut the last event, rewind the head": cut_tail(1),
    "cut the last three events, rewind the head": cut_tail(3),
    "edit a middle event": edit_middle,
    "reorder two events": reorder,
    "truncate the whole log, reset the head": truncate_all,
    "rewrite with the key, cut, rewind": rewrite_with_the_key,
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_verify_history_detects_tampering_once_a_checkpoint_exists(world: World, attack: Callable[[int], None]) -> None:
    head = write_events(world)
    assert checkpoint_now() is not None
    assert verify_history().ok
    attack(head)
    report = verify_history()
    assert not report.ok
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_history")


def test_a_cut_tail_is_reported_against_the_checkpoint_in_chinese(world: World) -> None:
    head = write_events(world)
    checkpoint_now()
    cut_tail(2)(head)
    report = verify_history()
    assert report.problems == [report.problems[0]]
    assert f"链只到 #{head - 2}" in report.problems[0] and f"检查点 #{head}" in report.problems[0]
    assert "至少 2 条事件被删除" in report.problems[0]


def test_the_key_holders_rewrite_is_caught_only_by_the_checkpoint(world: World) -> None:
    head = write_events(world)
    cp = checkpoint_now()
    rewrite_with_the_key(head)
    # The chain itself links, and its head agrees with ChainHead: without the anchor nothing shows.
    from core.chain import verify_chain

    assert verify_chain().ok
    assert cp is not None and any(f"#{head}" in p for p in verify_history().problems)


def test_an_exported_checkpoint_catches_a_cut_even_when_the_anchor_file_is_gone(world: World) -> None:
    head = write_events(world)
    exported = checkpoint_now()
    assert exported is not None
    anchor.anchor_path().unlink()  # the attacker could reach the anchor file too
    cut_tail(1)(head)
    assert verify_history().ok  # nothing left to compare with …
    assert any("尚无锚点文件" in note for note in verify_history().notes)
    report = verify_history(extra=[exported])  # … but the auditor kept a copy
    assert not report.ok and any(f"#{head}" in p for p in report.problems)


def test_a_checkpoint_signed_with_another_key_is_refused(world: World) -> None:
    head = write_events(world)
    with override_settings(AUDIT_CHAIN_KEY="not-the-chain-key-" * 3):
        forged = anchor.make("export", head, ChainHead.objects.get(pk=1).last_hash)
    report = verify_history(extra=[forged])
    assert any("签名无效" in p for p in report.problems)


def test_an_edited_anchor_file_fails_verification(world: World) -> None:
    head = write_events(world)
    checkpoint_now()
    path = anchor.anchor_path()
    record = json.loads(path.read_text())
    record["seq"] = head - 5  # "move" the checkpoint back so that a cut would pass
    path.write_text(json.dumps(record) + "\n")
    report = verify_history()
    assert any("签名无效" in p for p in report.problems)


def test_checkpoint_is_constant_time_and_skips_an_unmoved_head(world: World,
                                                             django_assert_num_queries: Callable) -> None:
    head = write_events(world)
    with django_assert_num_queries(1):  # ChainHead only: no previous checkpoint to look up
        first = checkpoint_now()
    assert first is not None and (first.seq, first.valid) == (head, True)
    with django_assert_num_queries(2):  # ChainHead and the previous checkpoint's event, by primary key
        assert checkpoint_now() is None
    write_events(world, 1)
    second = checkpoint_now()
    assert second is not None and second.seq == head + 1
    assert [cp.seq for cp in read_anchor().entries] == [head, head + 1]


def test_the_periodic_job_anchors_the_head_hourly(world: World) -> None:
    import datetime as dt

    job = PERIODIC["core.chain_checkpoint"]
    assert job.every == dt.timedelta(hours=1)
    head = write_events(world, 1)
    job.task.enqueue()  # the test backend runs it at once
    assert read_anchor().latest is not None and read_anchor().latest.seq == head


def test_a_restore_record_supersedes_the_checkpoints_before_it(world: World) -> None:
    head = write_events(world)
    anchor.append(anchor.make("checkpoint", head + 50, "f" * 64))  # a branch a restore abandoned
    restored = anchor.make("restore", head, ChainHead.objects.get(pk=1).last_hash, restored_seq=head - 1)
    anchor.append(restored)
    assert read_anchor().active == [restored]
    assert verify_history().ok


def test_a_partial_last_line_is_not_a_record_and_the_next_append_starts_a_new_line(world: World) -> None:
    write_events(world)
    checkpoint_now()
    path = anchor.anchor_path()
    with path.open("ab") as handle:
        handle.write(b'{"kind":"checkp')  # a crash in the middle of a write
    assert not read_anchor().problems
    write_events(world, 1)
    checkpoint_now()
    state = read_anchor()
    assert len(state.entries) == 2 and len(state.problems) == 1  # the cut line is reported, the new one is intact


# ---- the audit administrator -------------------------------------------------------------------------------

def login(world: World, key: str) -> Client:
    client = Client()
    assert client.login(username=world.users[key].username, password=PASSWORD)
    return client


def test_verify_button_reports_a_cut_tail(world: World) -> None:
    client = login(world, "auditadmin")  # logging in is itself an event: before the attack
    head = write_events(world)
    checkpoint_now()
    cut_tail(1)(head)
    response = client.post("/audit/verify/", follow=True)
    text = response.content.decode()
    assert "校验失败" in text and f"链只到 #{head - 1}" in text


def test_auditor_exports_a_signed_checkpoint_and_hands_it_back_to_verify(
        world: World, django_capture_on_commit_callbacks: Callable) -> None:
    head = write_events(world)
    client = login(world, "auditadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/checkpoint/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    exported = Checkpoint.from_dict(json.loads(response.content))
    assert exported.valid and exported.kind == "export" and exported.seq > head
    event = ChangeEvent.objects.get(seq=exported.seq)
    assert (event.action, event.hash, event.actor_id) == ("audit.checkpoint_export", exported.hash, world.users["auditadmin"].pk)
    assert read_anchor().entries == [exported]

    anchor.anchor_path().unlink()
    cut_tail(1)(exported.seq)
    upload = {"checkpoint": _file(response.content)}
    text = client.post("/audit/verify/", upload, follow=True).content.decode()
    assert "校验失败" in text and f"#{exported.seq}" in text


def test_verify_refuses_an_unreadable_upload(world: World) -> None:
    text = login(world, "auditadmin").post("/audit/verify/", {"checkpoint": _file(b"not json")},
                                           follow=True).content.decode()
    assert "无法识别上传的检查点文件" in text


@pytest.mark.parametrize("key", ["sysadmin", "secadmin", "office"])
def test_only_the_audit_administrator_exports_checkpoints(world: World, key: str) -> None:
    assert login(world, key).post("/audit/checkpoint/").status_code == 403
    assert login(world, key).post("/api/v1/audit/events/checkpoint/").status_code == 403


def test_api_exports_a_signed_checkpoint(world: World) -> None:
    response = login(world, "auditadmin").post("/api/v1/audit/events/checkpoint/")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "post")
    cp = Checkpoint.from_dict(response.json())
    assert cp.valid and cp.seq == ChainHead.objects.get(pk=1).last_seq


def _file(content: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("checkpoint.json", content, content_type="application/json")


def test_the_hourly_job_and_backups_raise_the_alarm_at_once_in_constant_time(
        world: World, caplog: pytest.LogCaptureFixture, django_assert_num_queries: Callable) -> None:
    head = write_events(world)
    checkpoint_now()
    assert anchor.reach_problem(anchor.last_checkpoint()) is None
    cut_tail(1)(head)
    with django_assert_num_queries(1):
        problem = anchor.reach_problem(anchor.last_checkpoint())
    assert problem is not None and f"#{head}" in problem
    with caplog.at_level("ERROR", logger="anzhi.chain"):
        checkpoint_now()
    assert "no longer reaches the anchored checkpoint" in caplog.text
