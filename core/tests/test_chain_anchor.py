"""Checkpoints kept outside the database: every way an attacker with database access can rewrite the change
log — including cutting its last blocks and rewinding ChainHead — is caught by verify_history once a
checkpoint exists."""

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
from core.audit import event_hash
from core.background import PERIODIC
from core.chain import block_hash, block_of, latest_block, merkle_root, seal, verify_history
from core.models import ChainBlock, ChangeEvent
from core.tests.tampering import bypass_append_only
from enterprises import services as enterprise_services
from tests.openapi import assert_matches_schema
from tests.personas import PASSWORD, World


def attacker(*statements: str) -> None:
    """Someone with database access: bypass the append-only triggers (the test's transaction undoes it), write."""
    with connection.cursor() as cur:
        bypass_append_only(cur, connection.vendor)
        for sql in statements:
            cur.execute(sql)


def rewind_head_to(number: int) -> str:
    """SQL setting ChainHead back to block ``number`` (the genesis hash for 0), as a careful attacker would."""
    if number == 0:
        return f"UPDATE core_chainhead SET last_block = 0, last_hash = '{anchor.GENESIS}'"
    return (f"UPDATE core_chainhead SET last_block = {number}, "
            f"last_hash = (SELECT hash FROM core_chainblock WHERE number = {number})")


def write_events(world: World, n: int = 4) -> int:
    """``n`` writes, each sealed into its own block; returns the latest block's number."""
    ent = world.enterprises["ent_a1"]
    for i in range(n):
        enterprise_services.enterprise_update(actor=None, enterprise=ent, address=f"锚点测试地址{i}")
        seal()
    return latest_block()[0]


def events_of(number: int) -> list[int]:
    block = ChainBlock.objects.get(number=number)
    return [seq for first, last in block.ranges for seq in range(first, last + 1)]


def cut_tail(k: int) -> Callable[[int], None]:
    def attack(head: int) -> None:
        seqs = [seq for number in range(head - k + 1, head + 1) for seq in events_of(number)]
        attacker(f"DELETE FROM core_changeevent WHERE seq IN ({', '.join(map(str, seqs))})",
                 f"DELETE FROM core_chainblock WHERE number > {head - k}", rewind_head_to(head - k))
    return attack


def edit_middle(head: int) -> None:
    attacker(f"UPDATE core_changeevent SET note = 'forged' WHERE seq = {events_of(head - 2)[0]}")


def reorder(head: int) -> None:
    a, b = events_of(head - 2)[0], events_of(head - 1)[0]
    attacker(f"UPDATE core_changeevent SET seq = -1 WHERE seq = {a}",
             f"UPDATE core_changeevent SET seq = {a} WHERE seq = {b}",
             f"UPDATE core_changeevent SET seq = {b} WHERE seq = -1")


def truncate_all(head: int) -> None:
    if connection.vendor == "postgresql":
        attacker("TRUNCATE core_changeevent, core_chainblock, core_unsealedevent", rewind_head_to(0))
    else:
        attacker("DELETE FROM core_changeevent", "DELETE FROM core_chainblock", "DELETE FROM core_unsealedevent",
                 rewind_head_to(0))


def rewrite_with_the_key(head: int) -> None:
    """The strongest database-side attacker also holds the chain key: edit an event, recompute its hash, its
    block's root and every later block hash, cut the last block and rewind the head. The log itself verifies;
    only the checkpoint can tell."""
    target = ChangeEvent.objects.get(seq=events_of(head - 3)[0])
    target.note = "forged"
    target.hash = event_hash(target.hashed_payload())
    statements = [f"UPDATE core_changeevent SET note = 'forged', hash = '{target.hash}' WHERE seq = {target.seq}"]
    prev = ChainBlock.objects.filter(number=head - 4).values_list("hash", flat=True).first() or anchor.GENESIS
    for block in ChainBlock.objects.filter(number__gte=head - 3, number__lt=head).order_by("number"):
        seqs = events_of(block.number)
        hashes = dict(ChangeEvent.objects.filter(seq__in=seqs).values_list("seq", "hash"))
        hashes[target.seq] = target.hash if target.seq in hashes else None
        block.root = merkle_root([(seq, hashes[seq]) for seq in seqs])
        block.prev_hash = prev
        block.hash = block_hash(block.hashed_payload())
        statements.append(f"UPDATE core_chainblock SET root = '{block.root}', prev_hash = '{block.prev_hash}', "
                          f"hash = '{block.hash}' WHERE number = {block.number}")
        prev = block.hash
    cut = ", ".join(map(str, events_of(head)))
    attacker(*statements, f"DELETE FROM core_changeevent WHERE seq IN ({cut})",
             f"DELETE FROM core_chainblock WHERE number = {head}",
             f"UPDATE core_chainhead SET last_block = {head - 1}, last_hash = '{prev}'")


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
    assert f"日志只到区块 #{head - 2}" in report.problems[0] and f"检查点 区块 #{head}" in report.problems[0]
    assert "至少 2 个区块被删除" in report.problems[0]


def test_the_key_holders_rewrite_is_caught_only_by_the_checkpoint(world: World) -> None:
    head = write_events(world)
    cp = checkpoint_now()
    rewrite_with_the_key(head)
    # The blocks link, every root matches, the head agrees with ChainHead: without the anchor nothing shows.
    from core.chain import verify_chain

    assert verify_chain().ok
    assert cp is not None and any(f"区块 #{head}" in p for p in verify_history().problems)


def test_an_exported_checkpoint_catches_a_cut_even_when_the_anchor_file_is_gone(world: World) -> None:
    head = write_events(world)
    exported = checkpoint_now()
    assert exported is not None
    anchor.anchor_path().unlink()  # the attacker could reach the anchor file too
    cut_tail(1)(head)
    assert verify_history().ok  # nothing left to compare with …
    assert any("尚无锚点文件" in note for note in verify_history().notes)
    report = verify_history(extra=[exported])  # … but the auditor kept a copy
    assert not report.ok and any(f"区块 #{head}" in p for p in report.problems)


def test_a_checkpoint_signed_with_another_key_is_refused(world: World) -> None:
    head = write_events(world)
    with override_settings(AUDIT_CHAIN_KEY="not-the-chain-key-" * 3):
        forged = anchor.make_block("export", head, latest_block()[1])
    report = verify_history(extra=[forged])
    assert any("签名无效" in p for p in report.problems)


def test_an_edited_anchor_file_fails_verification(world: World) -> None:
    head = write_events(world)
    checkpoint_now()
    path = anchor.anchor_path()
    record = json.loads(path.read_text())
    record["seq"] = head - 1  # "move" the checkpoint back so that a cut would pass
    path.write_text(json.dumps(record) + "\n")
    report = verify_history()
    assert any("签名无效" in p for p in report.problems)


def test_checkpoint_is_constant_time_and_skips_an_unmoved_head(world: World,
                                                             django_assert_num_queries: Callable) -> None:
    head = write_events(world)
    # The queue (empty: nothing to seal) and ChainHead; no previous checkpoint to look up.
    with django_assert_num_queries(2):
        first = checkpoint_now()
    assert first is not None and (first.seq, first.valid, first.of_block) == (head, True, True)
    with django_assert_num_queries(3):  # … and the previous checkpoint's block, by primary key
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


def test_the_periodic_job_seals_every_minute_and_the_checkpoint_seals_first(world: World) -> None:
    import datetime as dt

    from core.models import UnsealedEvent

    job = PERIODIC["core.chain_seal"]
    assert job.every == dt.timedelta(minutes=1)
    enterprise_services.enterprise_update(actor=None, enterprise=world.enterprises["ent_a1"], address="封存测试")
    assert UnsealedEvent.objects.exists()
    job.task.enqueue()
    assert not UnsealedEvent.objects.exists()
    enterprise_services.enterprise_update(actor=None, enterprise=world.enterprises["ent_a1"], address="封存测试2")
    latest = ChangeEvent.objects.latest("seq")
    cp = checkpoint_now()
    assert cp is not None and block_of(latest.seq).number == cp.seq


def test_a_restore_record_supersedes_the_checkpoints_before_it(world: World) -> None:
    head = write_events(world)
    anchor.append(anchor.make("checkpoint", head + 50, "f" * 64))  # a branch a restore abandoned
    restored = anchor.make_block("restore", head, latest_block()[1], restored_seq=head - 1)
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
    assert "校验失败" in text and f"日志只到区块 #{head - 1}" in text


def test_auditor_exports_a_signed_checkpoint_and_hands_it_back_to_verify(
        world: World, django_capture_on_commit_callbacks: Callable) -> None:
    head = write_events(world)
    client = login(world, "auditadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/checkpoint/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    exported = Checkpoint.from_dict(json.loads(response.content))
    assert exported.valid and exported.kind == "export" and exported.of_block and exported.seq > head
    event = ChangeEvent.objects.get(seq=exported.extra["event"])
    assert (event.action, event.actor_id) == ("audit.checkpoint_export", world.users["auditadmin"].pk)
    # The export's own record is sealed in the very block the checkpoint pins.
    assert (block_of(event.seq).number, block_of(event.seq).hash) == (exported.seq, exported.hash)
    assert read_anchor().entries == [exported]

    anchor.anchor_path().unlink()
    cut_tail(1)(exported.seq)
    upload = {"checkpoint": _file(response.content)}
    text = client.post("/audit/verify/", upload, follow=True).content.decode()
    assert "校验失败" in text and f"区块 #{exported.seq}" in text


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
    assert cp.valid and cp.seq == latest_block()[0] and cp.extra["unit"] == "block"


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
    assert problem is not None and f"区块 #{head}" in problem
    with caplog.at_level("ERROR", logger="anzhi.chain"):
        checkpoint_now()
    assert "no longer reaches the anchored checkpoint" in caplog.text


def test_the_audit_page_shows_the_latest_block_and_whether_events_wait(world: World) -> None:
    client = login(world, "auditadmin")  # the login itself waits to be sealed
    page = client.get("/audit/").content.decode()
    assert "有记录待封存" in page
    head = write_events(world, 1)
    page = client.get("/audit/").content.decode()
    assert f"最新区块 #{head}" in page and "有记录待封存" not in page
