"""Signed checkpoints of the change log, kept where the database cannot rewrite them (the anchor).

The blocks (``core.chain``) show that no stored event was edited, removed, reordered or inserted relative to
the others; they cannot show that the newest blocks still exist: whoever can write the database can delete
the last k blocks and their events, set ``ChainHead`` back, and the rest still links. A *checkpoint* — (block
number, block hash, time), signed with HMAC under the chain key — stored outside the database closes that
gap: later, block ``seq`` must still exist with exactly that hash. Because each block hash covers its
predecessor, one checkpoint vouches for every block up to it and every event they cover, even against someone
who holds the key (they can recompute the blocks, but not make a changed prefix end in the same hash).
Checkpoints written before blocks existed pin a legacy event (``seq``) instead; they stay valid, checked
against the legacy segment.

Checkpoints are kept in three places:

- the anchor file, ``<ANZHI_CHAIN_ANCHOR_DIR>/chain-anchor.jsonl``: one signed JSON record a line, only ever
  appended (O_APPEND, fsync, under an exclusive lock) — hourly by ``core.chain_checkpoint``, at each
  backup and at each export, and once per restore; each first seals what is committed (``core.chain.seal``);
- each backup's manifest (``core.backup``: restore refuses an archive whose blocks do not end exactly there);
- the files the audit administrator downloads (and may hand back to the verifier later).

A restore to an older backup rewinds the log on purpose. It appends a signed ``restore`` record of the block
that seals the change-log event recording the restore; checkpoints before the latest restore record describe
an abandoned branch and are no longer required (they stay in the file, for the record).

Lock order: the anchor file's flock first, then (inside ``core.chain.seal``) the ``ChainHead`` row.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import canonical

logger = logging.getLogger("anzhi.chain")

GENESIS = "0" * 64
ANCHOR_FILE = "chain-anchor.jsonl"
# Signatures are HMACs under the chain key with their own prefix, so a chain hash (which starts with a
# 64-hex previous hash) can never double as a checkpoint signature, nor the other way round.
SIGNATURE_CONTEXT = b"anzhi-chain-checkpoint|"
KINDS = ("checkpoint", "backup", "export", "restore")
_CORE_FIELDS = ("kind", "seq", "hash", "at", "sig")


def _kind_label(kind: str) -> str:
    return {"checkpoint": _("定时检查点"), "backup": _("备份"), "export": _("审计导出"),
            "restore": _("恢复")}.get(kind, kind)


def sign(payload: Mapping[str, Any]) -> str:
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    return hmac.new(key, SIGNATURE_CONTEXT + canonical(payload), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    kind: str
    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    extra: Mapping[str, Any] = field(default_factory=dict)
    sig: str = ""

    def payload(self) -> dict[str, Any]:
        return {**self.extra, "kind": self.kind, "seq": self.seq, "hash": self.hash, "at": self.at}

    def as_dict(self) -> dict[str, Any]:
        return {**self.payload(), "sig": self.sig}

    @property
    def of_block(self) -> bool:
        """Pins a block (number, hash); else, written before blocks existed, a legacy event (seq, hash)."""
        return self.extra.get("unit") == "block"

    @property
    def valid(self) -> bool:
        return hmac.compare_digest(self.sig, sign(self.payload()))

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at)

    def when(self) -> str:
        return timezone.localtime(self.moment).strftime("%Y-%m-%d %H:%M")

    def label(self) -> str:
        if self.of_block:
            return _("区块 #%(seq)d（%(kind)s，%(when)s）") % {"seq": self.seq, "kind": _kind_label(self.kind),
                                                          "when": self.when()}
        return _("#%(seq)d（%(kind)s，%(when)s）") % {"seq": self.seq, "kind": _kind_label(self.kind), "when": self.when()}

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        """A checkpoint from its JSON form; a backup manifest is accepted too (its ``checkpoint``)."""
        if isinstance(data, dict) and isinstance(data.get("checkpoint"), dict):
            data = data["checkpoint"]
        if not isinstance(data, dict):
            raise ValueError(_("不是检查点记录"))
        kind, seq, head, at, sig = (data.get(k) for k in _CORE_FIELDS)
        if (kind not in KINDS or not isinstance(seq, int) or isinstance(seq, bool) or seq < 0
                or not isinstance(head, str) or len(head) != 64 or not isinstance(at, str) or not isinstance(sig, str)):
            raise ValueError(_("检查点记录的字段不全或格式不对"))
        try:
            moment = dt.datetime.fromisoformat(at)
        except ValueError as exc:
            raise ValueError(_("检查点记录的时间格式不对")) from exc
        if moment.tzinfo is None:
            raise ValueError(_("检查点记录的时间格式不对"))
        extra = {k: v for k, v in data.items() if k not in _CORE_FIELDS}
        return cls(kind=kind, seq=seq, hash=head, at=at, extra=extra, sig=sig)


def make(kind: str, seq: int, head: str, **extra: Any) -> Checkpoint:
    at = timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    unsigned = Checkpoint(kind=kind, seq=seq, hash=head, at=at, extra=extra)
    return Checkpoint(kind=kind, seq=seq, hash=head, at=at, extra=extra, sig=sign(unsigned.payload()))


def make_block(kind: str, number: int, head: str, **extra: Any) -> Checkpoint:
    """A checkpoint of block ``number`` with hash ``head``."""
    return make(kind, number, head, unit="block", **extra)


def current_head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """The latest block as the database records it: one row, never a scan."""
    from core.models import ChainHead

    head = ChainHead.objects.using(using).filter(pk=1).values_list("last_block", "last_hash").first()
    return (head[0], head[1]) if head else (0, GENESIS)


def anchor_path() -> Path:
    return Path(settings.ANZHI_CHAIN_ANCHOR_DIR) / ANCHOR_FILE


# ---- reading ----------------------------------------------------------------------------------------------

@dataclass
class Anchor:
    path: Path
    exists: bool = False
    entries: list[Checkpoint] = field(default_factory=list)  # validly signed, in file order
    problems: list[str] = field(default_factory=list)  # unreadable or wrongly signed lines

    @property
    def active(self) -> list[Checkpoint]:
        """The checkpoints the current chain must satisfy: those since the latest restore record."""
        for index in range(len(self.entries) - 1, -1, -1):
            if self.entries[index].kind == "restore":
                return self.entries[index:]
        return list(self.entries)

    @property
    def latest(self) -> Checkpoint | None:
        active = self.active
        return max(active, key=lambda cp: cp.seq) if active else None

    def last_restore(self) -> Checkpoint | None:
        return next((cp for cp in reversed(self.entries) if cp.kind == "restore"), None)

    def backup(self, backup_id: str) -> Checkpoint | None:
        return next((cp for cp in self.entries if cp.kind == "backup" and cp.extra.get("backup_id") == backup_id),
                    None)


def read_anchor(path: Path | None = None) -> Anchor:
    path = path or anchor_path()
    anchor = Anchor(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return anchor
    anchor.exists = True
    lines = raw.split(b"\n")
    # A last line without its newline is a write in progress (or one cut short by a crash): not yet a record.
    for number, line in enumerate(lines[:-1], start=1):
        if not line.strip():
            continue
        try:
            cp = Checkpoint.from_dict(json.loads(line))
        except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors too
            anchor.problems.append(_("锚点文件 %(path)s 第 %(n)d 行无法识别（文件被改动）。") % {"path": path, "n": number})
            continue
        if not cp.valid:
            anchor.problems.append(_("锚点文件 %(path)s 第 %(n)d 行的签名无效（记录被改动，或链密钥已更换）。")
                                   % {"path": path, "n": number})
            continue
        anchor.entries.append(cp)
    return anchor


# ---- writing ----------------------------------------------------------------------------------------------

def _last_record(fd: int) -> Checkpoint | None:
    """The last complete, validly signed record, read from the file's tail (O(1), not a scan of the file)."""
    size = os.fstat(fd).st_size
    tail = os.pread(fd, min(size, 8192), max(0, size - 8192))
    lines = [line for line in tail.split(b"\n")[:-1] if line.strip()]
    if not lines:
        return None
    try:
        cp = Checkpoint.from_dict(json.loads(lines[-1]))
    except ValueError:
        return None
    return cp if cp.valid else None


def last_checkpoint(path: Path | None = None) -> Checkpoint | None:
    try:
        fd = os.open(path or anchor_path(), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _last_record(fd)
    finally:
        os.close(fd)


def reach_problem(cp: Checkpoint | None, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """O(1): does the database still hold the block (or legacy event) of checkpoint ``cp``, with that hash? (One
    primary-key lookup: the quick alarm of the periodic job and of backups; ``verify_history`` gives the full
    account.)"""
    from core.models import ChainBlock, ChangeEvent

    if cp is None or cp.seq == 0:
        return None
    model = ChainBlock if cp.of_block else ChangeEvent
    stored = model.objects.using(using).filter(pk=cp.seq).values_list("hash", flat=True).first()
    if stored == cp.hash:
        return None
    return (_("变更记录已不含检查点 %(cp)s 所记的区块：末尾记录被删除、数据库被回退或记录被改写。"
              "请运行 manage.py verify_history。") % {"cp": cp.label()})


class AnchorWriter:
    """Appends to the anchor file while holding its exclusive lock (see ``anchor_writer``)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def last_entry(self) -> Checkpoint | None:
        return _last_record(self._fd)

    def append(self, cp: Checkpoint) -> None:
        data = (json.dumps(cp.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # an earlier write was cut short: keep the records one a line
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        os.fsync(self._fd)


@contextmanager
def anchor_writer(path: Path | None = None) -> Iterator[AnchorWriter]:
    """Open the anchor file for appending (creating it and its folder if needed) under an exclusive lock.

    The lock orders the writers (the periodic job, backups, exports, a restore): a restore holds it while it
    swaps the database in, so no checkpoint of the replaced database can land after the restore record.
    O_APPEND is all the file needs, so it may carry the append-only attribute (``chattr +a``)."""
    path = path or anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        if created:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield AnchorWriter(fd)
    finally:
        os.close(fd)  # releases the lock


def append(cp: Checkpoint) -> None:
    with anchor_writer() as writer:
        writer.append(cp)


def checkpoint_now(*, only_if_moved: bool = True) -> Checkpoint | None:
    """Seal what is committed, then append a checkpoint of the latest block (the periodic job). Apart from the
    sealing, O(1): one row of ChainHead, one block by its primary key, the file's tail. Also notices at once
    when the log no longer reaches the previous checkpoint (a cut tail), and says so in the log; the full
    account is ``manage.py verify_history``."""
    from core.chain import seal

    with anchor_writer() as writer:
        seal()
        seq, head = current_head()
        last = writer.last_entry()
        if reach_problem(last) is not None:
            logger.error("change log no longer reaches the anchored checkpoint #%s (head is #%s): "
                         "events were cut or rewritten; run `manage.py verify_history`", last.seq if last else 0, seq)
        if seq == 0 or (only_if_moved and last is not None and (last.seq, last.hash) == (seq, head)):
            return None
        cp = make_block("checkpoint", seq, head)
        writer.append(cp)
    return cp
