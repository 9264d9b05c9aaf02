"""Backups carry a signed chain head; restore refuses an altered archive and leaves the installation untouched;
a restore swaps files by renaming, so a failure midway never loses the old ones. Runs on the suite's engine."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from core import backup
from core.anchor import SIGNATURE_CONTEXT, Checkpoint, read_anchor
from core.audit import canonical
from core.chain import latest_block
from core.tests.installation import Installation, create_installation, rewrite_archive

# Every test here is a database test, so pytest-django keeps them together and the installation is built once.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    """Built once: organisations loaded, one uploaded file, one checkpoint, then one backup (the archive)."""
    inst = create_installation(tmp_path_factory.mktemp("installation"))
    (inst.media / "attachments").mkdir(parents=True)
    (inst.media / "attachments" / "evidence.txt").write_text("备份时的文件")
    inst.manage("chain_checkpoint")  # block 1: the organisations
    inst.manage("backup", "--output", str(inst.root / "earlier.tar.gz"))  # block 2: an earlier backup's record
    inst.manage("backup", "--output", str(inst.root / "archive.tar.gz"))  # block 3: the backup's own record
    yield inst
    inst.drop()


@pytest.fixture(scope="module")
def archive(installation: Installation) -> Path:
    return installation.root / "archive.tar.gz"


def manifest_of(path: Path) -> dict[str, Any]:
    with tarfile.open(path) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return json.loads(handle.read())


def resign(data: dict[str, Any], key: str) -> None:
    cp = data["checkpoint"]
    payload = {k: v for k, v in cp.items() if k != "sig"}
    cp["sig"] = hmac.new(key.encode(), SIGNATURE_CONTEXT + canonical(payload), hashlib.sha256).hexdigest()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite hands JSON back as text


def cut_statements(inst: Installation, number: int) -> tuple[str, ...]:
    """Cut every block after ``number``, and every event after the last one it seals; rewind the head."""
    last = _json(inst.query(f"SELECT ranges FROM core_chainblock WHERE number = {number}")[0][0])[-1][1]
    return (f"DELETE FROM core_changeevent WHERE seq > {last}", f"DELETE FROM core_unsealedevent WHERE seq > {last}",
            f"DELETE FROM core_chainblock WHERE number > {number}",
            f"UPDATE core_chainhead SET last_block = {number}, "
            f"last_hash = (SELECT hash FROM core_chainblock WHERE number = {number})")


def head_hash(inst: Installation, number: int) -> str:
    return inst.query(f"SELECT hash FROM core_chainblock WHERE number = {number}")[0][0]


def test_backup_manifest_carries_the_signed_head_and_anchors_it(installation: Installation, archive: Path) -> None:
    manifest = manifest_of(archive)
    cp = Checkpoint.from_dict(manifest)
    assert cp.valid and cp.kind == "backup" and cp.extra["engine"] == connection.vendor
    assert cp.of_block and cp.seq == 3
    assert (cp.seq, cp.hash) == tuple(installation.query("SELECT last_block, last_hash FROM core_chainhead")[0])
    anchored = read_anchor(installation.anchor_file)
    assert anchored.backup(cp.extra["backup_id"]) == cp and not anchored.problems
    # The manifest is a checkpoint the verifier accepts as well.
    kept = installation.root / "manifest-copy.json"
    kept.write_text(json.dumps(manifest), encoding="utf-8")
    assert "校验通过" in installation.manage("verify_history", "--checkpoint", str(kept)).stdout


def test_restore_command_refuses_an_archive_with_events_cut_from_the_end(installation: Installation, archive: Path,
                                                                         tmp_path: Path) -> None:
    head = manifest_of(archive)["checkpoint"]["seq"]
    cut = rewrite_archive(archive, tmp_path / "cut.tar.gz", sql=cut_statements(installation, head - 2))
    before = installation.state()
    done = installation.manage("restore", str(cut), "--yes", check=False)
    assert done.returncode != 0, done.stdout
    assert f"止于区块 #{head - 2}" in done.stderr and "当前数据库和上传文件未改动" in done.stderr, done.stderr
    assert installation.state() == before


@pytest.fixture
def installation_anchor(installation: Installation, world: Any) -> None:
    """The in-process checks below see the installation's anchor file, as its own restore would."""
    from core.anchor import anchor_path

    anchor_path().write_bytes(installation.anchor_file.read_bytes())


def refused(archive: Path, expected: str) -> None:
    """restore_prepare refuses the archive, and nothing of this installation moved: database, files, anchor."""
    from django.conf import settings

    from core.anchor import anchor_path

    media = Path(settings.MEDIA_ROOT)
    before = (latest_block(), files(media), anchor_path().read_bytes(),
              sorted(p.name for p in media.parent.iterdir()))
    with pytest.raises(backup.BackupError, match=expected):
        backup.restore_prepare(archive)
    after = (latest_block(), files(media), anchor_path().read_bytes(),
             sorted(p.name for p in media.parent.iterdir()))
    assert after == before


def test_restore_refuses_an_archive_with_an_edited_event(installation_anchor: None, media: Path, archive: Path,
                                                         tmp_path: Path) -> None:
    edited = rewrite_archive(archive, tmp_path / "edited.tar.gz",
                             sql=("UPDATE core_changeevent SET note = 'forged' WHERE seq = 3",))
    refused(edited, "#3 的内容与其哈希不符")


def test_restore_refuses_a_manifest_whose_head_was_changed(installation: Installation, installation_anchor: None,
                                                           media: Path, archive: Path, tmp_path: Path) -> None:
    head = manifest_of(archive)["checkpoint"]["seq"]
    new_hash = head_hash(installation, head - 2)

    def point_at_the_cut(data: dict[str, Any]) -> None:
        data["checkpoint"].update(seq=head - 2, hash=new_hash)

    tampered = rewrite_archive(archive, tmp_path / "head.tar.gz", sql=cut_statements(installation, head - 2),
                               manifest=point_at_the_cut)
    refused(tampered, "签名无效")


def test_restore_refuses_a_manifest_re_signed_with_another_key(installation: Installation, installation_anchor: None,
                                                               media: Path, archive: Path, tmp_path: Path) -> None:
    head = manifest_of(archive)["checkpoint"]["seq"]
    new_hash = head_hash(installation, head - 2)

    def forge(data: dict[str, Any]) -> None:
        data["checkpoint"].update(seq=head - 2, hash=new_hash)
        resign(data, "a-key-that-is-not-the-chain-key-0123456789")

    tampered = rewrite_archive(archive, tmp_path / "resigned.tar.gz", sql=cut_statements(installation, head - 2), manifest=forge)
    refused(tampered, "签名无效")


def test_restore_refuses_a_key_holders_forgery_of_an_anchored_backup(installation: Installation,
                                                                     installation_anchor: None, media: Path,
                                                                     archive: Path, tmp_path: Path) -> None:
    # Holding the key, the forger re-signs a consistent manifest; the anchor file still remembers this backup.
    from django.conf import settings

    head = manifest_of(archive)["checkpoint"]["seq"]
    new_hash = head_hash(installation, head - 2)

    def forge(data: dict[str, Any]) -> None:
        data["checkpoint"].update(seq=head - 2, hash=new_hash)
        resign(data, settings.AUDIT_CHAIN_KEY)

    tampered = rewrite_archive(archive, tmp_path / "keyholder.tar.gz", sql=cut_statements(installation, head - 2), manifest=forge)
    refused(tampered, "锚点文件登记的这份备份")


def test_restore_refuses_an_archive_that_contradicts_an_anchored_checkpoint(installation: Installation,
                                                                            installation_anchor: None, media: Path,
                                                                            archive: Path, tmp_path: Path) -> None:
    # A key holder edits an old event, recomputes the rest of the archive's chain and signs a new manifest
    # under a new backup number (so the anchor has no record of this "backup"). The archive is consistent in
    # itself; the checkpoints anchored before the backup still pin the history.
    from django.conf import settings

    statements, new_hash = rechain_sql(installation, upto=manifest_of(archive)["checkpoint"]["seq"])

    def forge(data: dict[str, Any]) -> None:
        data["checkpoint"].update(hash=new_hash, backup_id="f" * 32)
        resign(data, settings.AUDIT_CHAIN_KEY)

    tampered = rewrite_archive(archive, tmp_path / "rechained.tar.gz", sql=statements, manifest=forge)
    refused(tampered, "与锚点检查点")


def rechain_sql(inst: Installation, *, upto: int) -> tuple[tuple[str, ...], str]:
    """UPDATEs editing the first event, recomputing its hash, block 1's Merkle root and every block hash up to
    block ``upto`` with the key; and the new head hash."""
    import datetime as dt

    from core.audit import event_hash
    from core.chain import block_hash, merkle_root
    from core.models import ChainBlock, ChangeEvent

    columns = [f.attname for f in ChangeEvent._meta.concrete_fields]
    row = inst.query(f"SELECT {', '.join(columns)} FROM core_changeevent ORDER BY seq LIMIT 1")[0]
    values = dict(zip(columns, row, strict=True))
    if isinstance(values["occurred_at"], str):  # SQLite hands back its stored UTC text
        values["occurred_at"] = dt.datetime.fromisoformat(values["occurred_at"]).replace(tzinfo=dt.UTC)
    values["changes"] = _json(values["changes"])
    values["success"] = bool(values["success"])
    values["ip"] = None if values["ip"] is None else str(values["ip"])
    ev = ChangeEvent(**values)
    ev.note = "forged"
    ev.hash = event_hash(ev.hashed_payload())
    statements = [f"UPDATE core_changeevent SET note = 'forged', hash = '{ev.hash}' WHERE seq = {ev.seq}"]
    block_columns = ["number", "kind", "ranges", "count", "root", "prev_hash", "hash", "sealed_at"]
    prev = "0" * 64
    for block_row in inst.query(f"SELECT {', '.join(block_columns)} FROM core_chainblock WHERE number <= {upto} "
                                "ORDER BY number"):
        block = ChainBlock(**dict(zip(block_columns, block_row, strict=True)))
        block.ranges = _json(block.ranges)
        if isinstance(block.sealed_at, str):
            block.sealed_at = dt.datetime.fromisoformat(block.sealed_at).replace(tzinfo=dt.UTC)
        if block.number == 1:
            leaves = [(seq, ev.hash if seq == ev.seq else digest) for first, last in block.ranges
                      for seq, digest in inst.query("SELECT seq, hash FROM core_changeevent "
                                                    f"WHERE seq BETWEEN {first} AND {last} ORDER BY seq")]
            block.root = merkle_root(leaves)
        block.prev_hash = prev
        block.hash = block_hash(block.hashed_payload())
        statements.append(f"UPDATE core_chainblock SET root = '{block.root}', prev_hash = '{block.prev_hash}', "
                          f"hash = '{block.hash}' WHERE number = {block.number}")
        prev = block.hash
    statements.append(f"UPDATE core_chainhead SET last_hash = '{prev}'")
    return tuple(statements), prev


def test_restore_to_the_past_is_announced_and_accounted_for(installation: Installation, archive: Path,
                                                            tmp_path: Path) -> None:
    inst = installation.clone(tmp_path / "clone")
    try:
        backed_up = manifest_of(archive)["checkpoint"]["seq"]
        (inst.media / "attachments" / "later.txt").write_text("备份之后上传的文件")
        inst.manage("load_calendar")
        inst.manage("chain_checkpoint")
        later = inst.state()["head"][0]
        assert later > backed_up

        done = inst.manage("restore", str(archive), "--yes")
        assert "校验通过" in done.stdout
        assert "回到过去" in done.stderr and f"#{later}" in done.stderr
        state = inst.state()
        assert state["media"] == {"attachments/evidence.txt": "备份时的文件".encode()}
        assert not state["leftovers"]
        restored = read_anchor(inst.anchor_file).entries[-1]
        assert (restored.kind, restored.extra["restored_seq"], restored.extra["previous_seq"]) == ("restore", backed_up,
                                                                                                    later)
        assert (restored.seq, restored.hash) == tuple(state["head"]) and restored.seq == backed_up + 1
        event = restored.extra["event"]
        assert inst.query(f"SELECT action FROM core_changeevent WHERE seq = {event}")[0][0] == "core.restore"
        assert "校验通过" in inst.manage("verify_history").stdout

        # The anchor keeps working after the rewind: cutting the restore's own block is caught.
        inst.attack(*cut_statements(inst, backed_up))
        failed = inst.manage("verify_history", check=False)
        assert failed.returncode != 0 and f"检查点 区块 #{restored.seq}" in failed.stderr
    finally:
        inst.drop()


# ---- item 12: files are swapped in by renaming, never deleted first ----------------------------------------

@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "var" / "media"
    (root / "attachments").mkdir(parents=True)
    (root / "attachments" / "current.txt").write_text("现有的文件")
    settings.MEDIA_ROOT = root
    return root


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_failure_while_unpacking_keeps_the_old_files(world: Any, media: Path, archive: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = files(media)
    real = tarfile.TarFile.makefile

    def fail_on_media(self: tarfile.TarFile, tarinfo: tarfile.TarInfo, targetpath: str) -> None:
        if tarinfo.name.startswith("media/"):
            raise OSError(28, "No space left on device")
        real(self, tarinfo, targetpath)

    monkeypatch.setattr(tarfile.TarFile, "makefile", fail_on_media)
    with pytest.raises(OSError):
        backup.restore_prepare(archive)
    assert files(media) == before
    assert sorted(p.name for p in media.parent.iterdir()) == ["media"]  # no staging folder left behind


def test_a_failure_when_renaming_the_files_in_keeps_the_old_files(world: Any, media: Path, archive: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before, head = files(media), latest_block()
    plan = backup.restore_prepare(archive)
    real = os.replace

    def fail_into_media(src: Any, dst: Any) -> None:
        if Path(dst) == media and Path(src).name == "media":
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_into_media)
    try:
        with pytest.raises(OSError):
            backup.restore_apply(plan)
    finally:
        plan.cleanup()
    assert files(media) == before
    assert latest_block() == head


def test_a_failed_database_swap_puts_the_old_files_back(world: Any, media: Path, archive: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before, head = files(media), latest_block()
    plan = backup.restore_prepare(archive)

    def swap_fails(work: Path) -> None:
        assert files(media) == {"attachments/evidence.txt": "备份时的文件".encode()}  # the new files were in
        raise backup.BackupError("数据库恢复失败，当前数据库未改动")

    monkeypatch.setattr(backup, "_swap_database", swap_fails)
    try:
        with pytest.raises(backup.BackupError):
            backup.restore_apply(plan)
    finally:
        plan.cleanup()
    assert files(media) == before
    assert latest_block() == head
    assert sorted(p.name for p in media.parent.iterdir()) == ["media"]


def as_format_1(data: dict[str, Any]) -> None:
    """The manifest as backups wrote it before it was signed."""
    cp = data.pop("checkpoint")
    data.update(format=1, chain_head={"seq": cp["seq"], "hash": cp["hash"]})


def test_an_unsigned_archive_of_the_old_format_needs_an_explicit_yes(installation_anchor: None, media: Path,
                                                                      archive: Path, tmp_path: Path) -> None:
    old = rewrite_archive(archive, tmp_path / "format1.tar.gz", manifest=as_format_1)
    refused(old, "--allow-unsigned")
    plan = backup.restore_prepare(old, allow_unsigned=True)
    try:
        assert any("旧格式" in w for w in plan.warnings)
    finally:
        plan.cleanup()
    # Its chain is still checked under the key.
    edited = rewrite_archive(old, tmp_path / "format1-edited.tar.gz",
                             sql=("UPDATE core_changeevent SET note = 'forged' WHERE seq = 3",))
    with pytest.raises(backup.BackupError, match="#3 的内容与其哈希不符"):
        backup.restore_prepare(edited, allow_unsigned=True)
