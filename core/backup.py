"""One-command backup and restore: the database and the uploaded files in one archive.

SQLite is copied with its online backup API (consistent while the platform runs); PostgreSQL with
pg_dump/pg_restore (custom format) and psql, which must be on PATH for that engine.

Before dumping, committed events are sealed (``core.chain.seal``). The manifest carries a signed checkpoint of
the archive's own latest block (``core.anchor``), read from the very snapshot that is dumped; the same
checkpoint is appended to the anchor file. Events committed after the sealing travel unsealed, with their
queue rows, and are sealed after a restore. Restore has two phases:

1. ``restore_prepare`` unpacks the archive into a staging folder beside the media root and checks it without
   touching the installation: the manifest's signature, the archive's log in a scratch copy of its database
   (it must verify and its blocks end exactly at the manifest's head), and the anchor file (an archive contradicting an
   anchored checkpoint is refused; one older than the latest checkpoint is a restore to the past: allowed,
   with a warning).
2. ``restore_apply`` swaps the staged files in by renaming (the old ones are kept until the end), then the
   database in one transaction; if the database swap fails the old files are renamed back. It then records
   the restore in the change log and appends a signed ``restore`` record to the anchor file, so the rewind is
   accounted for rather than flagged forever.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.utils import load_backend

from core import anchor, audit
from core.anchor import Checkpoint

if TYPE_CHECKING:
    from core.chain import ChainReport

FORMAT = 3  # 2: the manifest carries a signed checkpoint of the chain head; 3: of the latest block
STAGING_ALIAS = "anzhi_restore_staging"


class BackupError(RuntimeError):
    pass


def _pg_env_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"PostgreSQL 备份需要 {tool}，但本机未安装（apt-get install postgresql-client）。")
    return path


def _pg_admin_connection() -> Any:
    """A raw autocommit connection with the platform's credentials, apart from Django's own connection and
    from any transaction it is in (CREATE DATABASE and snapshot export need one)."""
    try:
        raw = connection.Database.connect(**connection.get_connection_params())
    except connection.Database.Error as exc:
        raise BackupError(f"无法连接数据库：{exc}") from exc
    raw.autocommit = True
    return raw


def _admin_execute(raw: Any, sql: str) -> None:
    with raw.cursor() as cur:
        cur.execute(sql)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- backup -----------------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    manifest: dict[str, Any]
    checkpoint: Checkpoint
    anchor_error: str | None = None


def _sqlite_head(path: Path) -> tuple[int, str, int]:
    with closing(sqlite3.connect(path)) as db:
        row = db.execute("SELECT last_block, last_hash FROM core_chainhead WHERE id = 1").fetchone()
        events = db.execute("SELECT count(*) FROM core_changeevent").fetchone()[0]
    return (row[0], row[1], events) if row else (0, anchor.GENESIS, events)


def _pg_dump(path: Path) -> tuple[int, str, int]:
    """pg_dump of an exported snapshot, and the chain head read in that same snapshot: the manifest's head
    is exactly the dumped one even while the platform keeps writing."""
    args, env = _pg_env_args()
    raw = _pg_admin_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute("SELECT last_block, last_hash FROM core_chainhead WHERE id = 1")
            row = cur.fetchone()
            cur.execute("SELECT count(*) FROM core_changeevent")
            events = cur.fetchone()[0]
            subprocess.run([_require("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(path), *args,
                            settings.DATABASES["default"]["NAME"]], check=True, env=env)
            cur.execute("COMMIT")
    finally:
        raw.close()
    return (row[0], row[1], events) if row else (0, anchor.GENESIS, events)


def create_backup(output: Path, *, backup_id: str | None = None) -> BackupResult:
    from core.chain import seal

    backup_id = backup_id or uuid.uuid4().hex
    seal()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(work / "database.sqlite3")
            with target:
                connection.connection.backup(target)
            target.close()
            seq, head, events = _sqlite_head(work / "database.sqlite3")
        elif connection.vendor == "postgresql":
            seq, head, events = _pg_dump(work / "database.pgdump")
        else:
            raise BackupError(f"不支持的数据库：{connection.vendor}")
        checkpoint = anchor.make_block("backup", seq, head, backup_id=backup_id, engine=connection.vendor,
                                       events=events)
        manifest = {"format": FORMAT, "created_at": checkpoint.at, "engine": connection.vendor, "events": events,
                    "checkpoint": checkpoint.as_dict()}
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
    result = BackupResult(manifest=manifest, checkpoint=checkpoint)
    try:
        anchor.append(checkpoint)
    except OSError as exc:  # the archive is good; the operator is told the anchor was not
        result.anchor_error = str(exc)
    return result


# ---- restore ----------------------------------------------------------------------------------------------

@dataclass
class RestorePlan:
    archive: Path
    work: Path  # staging folder beside the media root; removed by cleanup()
    manifest: dict[str, Any]
    checkpoint: Checkpoint  # the archive's signed head
    previous_head: tuple[int, str] | None  # the installation's head before the restore
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def restore_prepare(archive_path: Path, *, allow_unsigned: bool = False) -> RestorePlan:
    """Unpack and check an archive; raises BackupError (installation untouched) if it must not be restored.
    ``allow_unsigned`` accepts a format-1 archive (made before manifests were signed), with a warning."""
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    # Beside the media root, on the same file system, so the staged files go in by a rename.
    work = Path(tempfile.mkdtemp(prefix=f".{media.name}-restore-", dir=media.parent))
    try:
        return _prepare(archive_path, work, allow_unsigned=allow_unsigned)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _legacy_head(manifest: dict[str, Any]) -> Checkpoint:
    """The unsigned head of a format-1 manifest, as a checkpoint that is not valid (it carries no signature)."""
    head = manifest.get("chain_head") or {}
    if not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str):
        raise BackupError("备份清单缺少链头，拒绝恢复。")
    try:
        aware = dt.datetime.fromisoformat(str(manifest.get("created_at", ""))).tzinfo is not None
    except ValueError:
        aware = False
    if not aware:
        raise BackupError("备份清单的时间格式不对，拒绝恢复。")
    return Checkpoint(kind="backup", seq=head["seq"], hash=head["hash"], at=str(manifest.get("created_at", "")),
                      extra={"engine": manifest.get("engine"), "backup_id": "", "unit": "block"})


def _read_manifest(work: Path, *, allow_unsigned: bool) -> tuple[dict[str, Any], Checkpoint]:
    manifest_path = work / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("这不是安治的备份文件（缺少 manifest.json）。")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError("备份清单 manifest.json 无法识别。") from exc
    if allow_unsigned and isinstance(manifest, dict) and manifest.get("format") == 1:
        # Archives made before manifests were signed: the chain inside is still checked under the key and
        # against the anchor; only the head it should end at is the archive's own word.
        checkpoint = _legacy_head(manifest)
    elif isinstance(manifest, dict) and manifest.get("format") == 1:
        raise BackupError("这是清单未签名的旧格式备份（格式 1）：确认来源可靠后，可加 --allow-unsigned 恢复。")
    elif isinstance(manifest, dict) and manifest.get("format") == 2:
        raise BackupError("这是日志分区块之前的版本做的备份（格式 2）：请用做备份的那个版本恢复，再升级（migrate 会把"
                          "原有日志转为第一个区块）。")
    elif not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"备份格式 {found} 与本版本（{FORMAT}）不符。")
    else:
        try:
            checkpoint = Checkpoint.from_dict(manifest.get("checkpoint"))
        except ValueError as exc:
            raise BackupError("备份清单缺少签名的链头，拒绝恢复。") from exc
        if checkpoint.kind != "backup" or not checkpoint.valid or not checkpoint.of_block:
            raise BackupError("备份清单的签名无效：清单在备份后被改动过，或备份来自使用另一把链密钥（AUDIT_CHAIN_KEY，"
                              "未设置时为 SECRET_KEY / var/secret_key）的系统。拒绝恢复。")
    engine = checkpoint.extra.get("engine")
    if engine != connection.vendor:
        raise BackupError(f"备份来自 {engine} 数据库，当前为 {connection.vendor}。")
    return manifest, checkpoint


@contextmanager
def _staging_alias(name: str) -> Iterator[str]:
    """A database alias for the scratch copy of the archive's database, so the usual verifier can read it."""
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict["NAME"] = name
    if connection.vendor == "sqlite":
        settings_dict["OPTIONS"] = {}
    # Set on this thread only, never added to settings: a passing connection, not a configured database.
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, STAGING_ALIAS)
    connections[STAGING_ALIAS] = wrapper
    try:
        yield STAGING_ALIAS
    finally:
        wrapper.close()
        del connections[STAGING_ALIAS]


def _verify_staged(work: Path, probe: set[int], legacy_probe: set[int]) -> ChainReport:
    from core.chain import verify_chain

    try:
        if connection.vendor == "sqlite":
            database = work / "database.sqlite3"
            if not database.exists():
                raise BackupError("备份中缺少数据库文件 database.sqlite3。")
            with _staging_alias(str(database)) as alias:
                return verify_chain(using=alias, probe=probe, legacy_probe=legacy_probe)
        dump = work / "database.pgdump"
        if not dump.exists():
            raise BackupError("备份中缺少数据库文件 database.pgdump。")
        live = settings.DATABASES["default"]["NAME"]
        scratch = f"{live[:40]}_restore_{secrets.token_hex(4)}"
        args, env = _pg_env_args()
        admin = _pg_admin_connection()
        try:
            try:
                _admin_execute(admin, f"CREATE DATABASE {_quote(scratch)}")
            except connection.Database.Error as exc:
                raise BackupError(f"无法建立校验用的临时数据库（恢复需要建库权限 CREATEDB）：{exc}") from exc
            try:
                done = subprocess.run([_require("pg_restore"), "--no-owner", "--exit-on-error", "-d", scratch, *args,
                                       str(dump)], env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    raise BackupError(f"备份中的数据库无法还原：{done.stderr.strip()[-2000:]}")
                with _staging_alias(scratch) as alias:
                    return verify_chain(using=alias, probe=probe, legacy_probe=legacy_probe)
            finally:
                _admin_execute(admin, f"DROP DATABASE IF EXISTS {_quote(scratch)} WITH (FORCE)")
        finally:
            admin.close()
    except DatabaseError as exc:
        raise BackupError(f"备份中的数据库无法读取：{exc}") from exc


def _prepare(archive_path: Path, work: Path, *, allow_unsigned: bool) -> RestorePlan:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, EOFError) as exc:
        raise BackupError(f"备份文件已损坏，无法解开：{exc}") from exc
    manifest, head = _read_manifest(work, allow_unsigned=allow_unsigned)
    anchored = anchor.read_anchor()
    report = _verify_staged(work, {cp.seq for cp in anchored.active if cp.of_block},
                            {cp.seq for cp in anchored.active if not cp.of_block})
    if not report.ok:
        raise BackupError("备份中的变更记录校验未通过，拒绝恢复：" + "；".join(report.problems[:5]))
    if (report.last_block, report.last_hash) != (head.seq, head.hash):
        raise BackupError(
            f"备份中的变更记录止于区块 #{report.last_block}（{report.last_hash[:12]}…），而签名的备份清单记录为区块 "
            f"#{head.seq}（{head.hash[:12]}…）：数据库文件在备份后被改动（末尾区块被删除或替换）。拒绝恢复。")

    plan = RestorePlan(archive=archive_path, work=work, manifest=manifest, checkpoint=head, previous_head=None)
    registered = anchored.backup(str(head.extra["backup_id"])) if head.extra.get("backup_id") else None
    if registered is not None and registered.as_dict() != head.as_dict():
        raise BackupError(f"锚点文件登记的这份备份链头为 {registered.label()}，与备份清单（#{head.seq}）不符："
                          "备份被改动过。拒绝恢复。")
    active = anchored.active
    contradicted = [cp for cp in active if cp.of_block and 0 < cp.seq <= report.last_block
                    and report.block_hashes.get(cp.seq) != cp.hash]
    contradicted += [cp for cp in active if not cp.of_block and 0 < cp.seq <= report.legacy_last
                     and report.legacy_hashes.get(cp.seq) != cp.hash]
    if contradicted:
        first = min(contradicted, key=lambda cp: cp.seq)
        if registered is None:
            raise BackupError(
                f"备份的哈希链与锚点检查点 {first.label()} 不符：它不是本系统的历史，或已被篡改。拒绝恢复。"
                f"（如确需恢复另一套系统的备份，请把 ANZHI_CHAIN_ANCHOR_DIR 指向新的空文件夹，并保留旧的锚点文件。）")
        plan.warnings.append(
            f"警告：这份备份属于另一段历史（与检查点 {first.label()} 不符：其后曾恢复过别的备份）。"
            "恢复后，当前那段历史中的记录将从数据库中消失。")
    beyond = [cp for cp in active if cp.of_block and cp.seq > report.last_block]
    if beyond:
        latest = max(beyond, key=lambda cp: cp.seq)
        plan.warnings.append(
            f"警告：这份备份只到区块 #{head.seq}（备份于 {head.when()}），早于锚点文件中最新的检查点 {latest.label()}。"
            f"恢复后，区块 #{head.seq} 之后至少 {latest.seq - head.seq} 个区块的变更记录和同期的业务数据、上传文件将从系统中"
            "消失（回到过去）。锚点文件会记下这次恢复。")
    if not head.sig:
        plan.warnings.append("警告：这是旧格式的备份，清单没有签名：备份中的哈希链已按链密钥和锚点文件校验，"
                             "但无法证明它的末尾没有被截去。")
    elif anchored.exists and registered is None:
        plan.warnings.append("注意：这份备份没有登记在锚点文件中（来自另一套系统，或早于锚点文件），只能按其签名的清单校验。")
    if not anchored.exists:
        plan.notes.append(f"尚无锚点文件 {anchored.path}：仅按签名的备份清单校验。")
    plan.warnings.extend(anchored.problems)
    try:
        with anchor.anchor_writer():
            pass
    except OSError as exc:
        raise BackupError(f"无法写入锚点文件 {anchored.path}（{exc}）：请检查 ANZHI_CHAIN_ANCHOR_DIR。恢复未进行。") from exc
    try:
        plan.previous_head = anchor.current_head()
    except DatabaseError:  # restoring because the database is broken
        plan.previous_head = None
    return plan


@contextmanager
def _media_swapped(staged: Path | None, media: Path, work: Path) -> Iterator[None]:
    """Put ``staged`` in place of ``media`` by renaming; if the body fails, put the old folder back.

    The old folder waits in ``work`` (same file system) and goes when the plan is cleaned up: at no point are
    the files lost, whatever fails."""
    if staged is None:  # the archive holds no uploaded files: leave the current ones alone
        yield
        return
    old = work / "media-old"
    had_old = media.exists()
    if had_old:
        os.replace(media, old)
    try:
        os.replace(staged, media)
    except BaseException:
        if had_old:
            os.replace(old, media)
        raise
    try:
        yield
    except BaseException:
        os.replace(media, work / "media-failed")
        if had_old:
            os.replace(old, media)
        raise


DROP_PARTITIONED = ("DO $$ DECLARE r record; BEGIN FOR r IN SELECT partrelid::regclass AS t FROM pg_partitioned_table "
                    "p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relnamespace = current_schema()::regnamespace "
                    "AND NOT c.relispartition LOOP EXECUTE format('DROP TABLE %s CASCADE', r.t); END LOOP; END $$")


def _swap_database(work: Path) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(work / "database.sqlite3")
        try:
            connection.ensure_connection()
            # One step (pages=-1) writes the destination in a single transaction: all or nothing.
            with source:
                source.backup(connection.connection, pages=-1)
        finally:
            source.close()
        return
    args, env = _pg_env_args()
    connections.close_all()
    # pg_restore writes the script (its --clean drops first) and psql runs it in one transaction after dropping the
    # partitioned tables (the change log, core/partitions.py) whole: --clean drops a partition's inherited primary
    # key on its own, which PostgreSQL refuses ("cannot drop inherited constraint"). Dropping the parent takes its
    # partitions with it; the script's drops of them then find nothing (IF EXISTS) and it creates them again.
    # The script is streamed through this process rather than piped straight in: psql commits when its input
    # ends, so if pg_restore fails half-way psql is killed first, before it sees the end, and nothing commits.
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as runner_err:
        script = subprocess.Popen([_require("pg_restore"), "--clean", "--if-exists", "--no-owner", "-f", "-",
                                   str(work / "database.pgdump")], env=env, stdout=subprocess.PIPE, stderr=script_err)
        runner = subprocess.Popen([_require("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                                   "-d", settings.DATABASES["default"]["NAME"], *args, "-c", DROP_PARTITIONED,
                                   "-f", "-"], env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=runner_err)
        assert script.stdout is not None and runner.stdin is not None
        try:
            while chunk := script.stdout.read(1 << 20):
                runner.stdin.write(chunk)
        except BrokenPipeError:  # psql stopped on an error (its transaction rolled back): stop the script too
            script.kill()
        script.stdout.close()
        if script.wait() != 0:
            runner.kill()  # before psql reads the end of its input, so it never commits
        with contextlib.suppress(BrokenPipeError):
            runner.stdin.close()
        runner.wait()
        if runner.returncode != 0 or script.returncode != 0:  # one transaction: nothing was changed
            said = runner_err if runner.returncode not in (0, -signal.SIGKILL) else script_err
            said.seek(0)
            raise BackupError(f"数据库恢复失败，当前数据库未改动：{said.read().decode(errors='replace').strip()[-2000:]}")


def restore_apply(plan: RestorePlan) -> Checkpoint:
    """Swap the checked archive in; record the restore (change log and anchor). Runs in the caller's audit
    context. Returns the anchor's ``restore`` record."""
    from core.chain import seal

    head = plan.checkpoint
    staged_media = plan.work / "media"
    # Holding the anchor's lock keeps the periodic checkpoint from anchoring the replaced database afterwards.
    with anchor.anchor_writer() as anchor_file:
        with _media_swapped(staged_media if staged_media.is_dir() else None, Path(settings.MEDIA_ROOT), plan.work):
            _swap_database(plan.work)
        previous = plan.previous_head[0] if plan.previous_head else None
        with transaction.atomic():
            event = audit.record(
                action="core.restore", object_type="core.backup", object_id=str(head.extra.get("backup_id", "")),
                object_repr=str(plan.archive),
                changes={"chain_head": [previous, head.seq]},
                note=f"备份时间 {head.at}，备份链头为区块 #{head.seq}，恢复前为区块 "
                     f"#{previous if previous is not None else '未知'}；备份的变更记录校验通过")
        # Seal the restore's event (and whatever the archive held unsealed): the record anchors that block.
        seal()
        number, digest = anchor.current_head()
        record = anchor.make_block("restore", number, digest, backup_id=head.extra.get("backup_id", ""),
                                   restored_seq=head.seq, restored_hash=head.hash, previous_seq=previous,
                                   event=event.seq)
        anchor_file.append(record)
    return record
