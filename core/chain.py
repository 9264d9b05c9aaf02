"""The change log's blocks: sealing committed events (``seal``) and verifying everything (``verify_chain``).

Writers append events freely (``core.audit.record``: no shared lock, each event carries the HMAC of its own
content). The sealer binds what has been committed into *blocks*: each block lists the seqs it covers (as
ranges), the Merkle root of their hashes in seq order and the previous block's hash, and is itself HMAC'd
under the chain key. Sequence numbers commit out of order (a long import takes its numbers first and commits
last), so a block covers exactly the events the queue ``UnsealedEvent`` held when it was sealed: a straggler
with a lower number simply lands in a later block; nothing is skipped, nothing sealed twice.

Verification (used by ``manage.py verify_history``, the audit pages and restore) answers: does every block
link to the one before it and to ``ChainHead``; does every block's event set exist, each with its own valid
hash, with the Merkle root recorded; does every event outside the blocks sit in the queue with a valid hash;
and does the log still reach every checkpoint kept outside the database (``core.anchor``: each signs a block
number and hash), which is what notices blocks cut from the end together with a rewound ``ChainHead``.

Lock order (the only locks the change log takes): the anchor file's flock (checkpoints, backups, exports,
restore) → the ``ChainHead`` row (sealers only). Writers take neither, so a writer never waits on a row that
another, unrelated writer holds; the sealer reads events without locking them and deletes only committed
queue rows, which no writer touches again.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.anchor import GENESIS, Checkpoint, read_anchor
from core.audit import canonical, chain_hash, event_hash
from core.models import ChainBlock, ChainHead, ChangeEvent, UnsealedEvent

BLOCK_CONTEXT = b"anzhi-block|"
SEAL_LIMIT = 20_000  # events per block: bounds the sealer's transaction and the verifier's memory
_RANGES_PER_QUERY = 200
_PROBLEMS_PER_KIND = 20


# ---- pure functions: ranges, Merkle root, block hash --------------------------------------------------------

def to_ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Sorted distinct seqs as [[first, last], ...] of consecutive runs."""
    out: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if out and seq == out[-1][1] + 1:
            out[-1][1] = seq
        else:
            out.append([seq, seq])
    return out


def range_size(ranges: Sequence[Sequence[int]]) -> int:
    return sum(last - first + 1 for first, last in ranges)


def _leaf(seq: int, digest: str) -> bytes:
    return hashlib.sha256(b"\x00" + seq.to_bytes(8, "big", signed=True) + bytes.fromhex(digest)).digest()


def merkle_root(leaves: Sequence[tuple[int, str]]) -> str:
    """Merkle root (SHA-256, leaves and nodes domain-separated) of (seq, event hash) in the given order; an odd
    node is carried up unchanged."""
    if not leaves:
        return GENESIS
    level = [_leaf(seq, digest) for seq, digest in leaves]
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def block_hash(payload: dict[str, Any]) -> str:
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    return hmac.new(key, BLOCK_CONTEXT + canonical(payload), hashlib.sha256).hexdigest()


def _safe_hex(value: str) -> str:
    try:
        bytes.fromhex(value)
    except ValueError:
        return GENESIS  # a mangled hash: its leaf will not match, which is the point
    return value if len(value) == 64 else GENESIS


def _ranges_q(ranges: Sequence[Sequence[int]]) -> Q:
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(seq__gte=first, seq__lte=last)
    return q


# ---- sealing ----------------------------------------------------------------------------------------------

def seal(*, limit: int = SEAL_LIMIT, using: str = DEFAULT_DB_ALIAS) -> list[ChainBlock]:
    """Seal every committed, not yet sealed event into blocks of at most ``limit``; returns the new blocks.

    Idle, it costs one query and takes no lock. Otherwise each block is one short transaction holding the
    ``ChainHead`` row (sealers only): read the queue's events, insert the block, empty their queue rows."""
    blocks: list[ChainBlock] = []
    while UnsealedEvent.objects.using(using).exists():
        block = _seal_once(limit=limit, using=using)
        if block is None:
            break
        blocks.append(block)
        if block.count < limit:
            break
    return blocks


def _seal_once(*, limit: int, using: str) -> ChainBlock | None:
    with transaction.atomic(using=using):
        head, _created = ChainHead.objects.using(using).select_for_update().get_or_create(pk=1)
        # Queue rows and their events are committed together, so one statement sees both or neither. A queue
        # row whose event is gone stays queued: the verifier reports it.
        rows = list(ChangeEvent.objects.using(using)
                    .filter(seq__in=UnsealedEvent.objects.using(using).values("seq"))
                    .order_by("seq").values_list("seq", "hash")[:limit])
        if not rows:
            return None
        ranges = to_ranges(seq for seq, _hash in rows)
        block = ChainBlock(number=head.last_block + 1, kind=ChainBlock.KIND_SEAL, ranges=ranges, count=len(rows),
                           root=merkle_root([(seq, _safe_hex(digest)) for seq, digest in rows]),
                           prev_hash=head.last_hash, sealed_at=timezone.now())
        block.hash = block_hash(block.hashed_payload())
        block.save(force_insert=True, using=using)
        for start in range(0, len(ranges), _RANGES_PER_QUERY):
            part = ranges[start:start + _RANGES_PER_QUERY]
            UnsealedEvent.objects.using(using).filter(_ranges_q(part)).delete()
        ChainHead.objects.using(using).filter(pk=1).update(last_block=block.number, last_hash=block.hash)
    return block


def latest_block(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(number, hash) of the latest block as ``ChainHead`` records it: one row, never a scan."""
    head = ChainHead.objects.using(using).filter(pk=1).values_list("last_block", "last_hash").first()
    return (head[0], head[1]) if head else (0, GENESIS)


def block_of(seq: int, using: str = DEFAULT_DB_ALIAS) -> ChainBlock | None:
    """The block covering event ``seq`` (a scan of the block list from the newest; for pages and tests)."""
    for block in ChainBlock.objects.using(using).order_by("-number").iterator(chunk_size=200):
        if any(first <= seq <= last for first, last in block.ranges):
            return block
    return None


# ---- verification -----------------------------------------------------------------------------------------

@dataclass
class ChainReport:
    checked: int = 0  # events whose hash was checked
    blocks: int = 0
    unsealed: int = 0  # events checked by their own hash only (not yet in a block)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth saying, but not a failure
    last_block: int = 0
    last_hash: str = GENESIS
    block_hashes: dict[int, str] = field(default_factory=dict)  # hash of the block at each probed number
    legacy_last: int = 0  # last seq of the legacy segment (0: none)
    legacy_hashes: dict[int, str] = field(default_factory=dict)  # legacy event hash at each probed seq
    checkpoints: int = 0  # checkpoints compared
    latest_checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    # kept for callers that spoke of the head as a seq
    @property
    def last_seq(self) -> int:
        return self.last_block


class _Problems:
    """Problems capped per kind, so a truncated table gives one clear account, not a million lines."""

    def __init__(self, report: ChainReport) -> None:
        self.report = report
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        n = self.counts.get(kind, 0) + 1
        self.counts[kind] = n
        if n <= _PROBLEMS_PER_KIND:
            self.report.problems.append(message)
        elif n == _PROBLEMS_PER_KIND + 1:
            self.report.problems.append(_("……同类问题过多，其余从略。"))


def _events(using: str, ranges: Sequence[Sequence[int]]) -> Iterator[ChangeEvent]:
    for start in range(0, len(ranges), _RANGES_PER_QUERY):
        part = ranges[start:start + _RANGES_PER_QUERY]
        yield from ChangeEvent.objects.using(using).filter(_ranges_q(part)).order_by("seq").iterator(chunk_size=2000)


def _missing(ranges: Sequence[Sequence[int]], present: Sequence[int]) -> list[list[int]]:
    """The parts of ``ranges`` not in the sorted ``present``."""
    have = set(present)
    return to_ranges(seq for first, last in ranges for seq in range(first, last + 1) if seq not in have)


def _span(ranges: Sequence[Sequence[int]]) -> str:
    return "、".join(f"#{a}" if a == b else f"#{a}–#{b}" for a, b in ranges[:5]) + ("……" if len(ranges) > 5 else "")


def _check_legacy(block: ChainBlock, using: str, report: ChainReport, problems: _Problems,
                  wanted: Collection[int]) -> None:
    """The legacy segment, the old way: every event links to the one before it, from the genesis hash."""
    prev_hash, expected, seqs = GENESIS, 1, []
    for ev in _events(using, block.ranges):
        if ev.seq != expected:
            problems.add("missing", _("事件 #%(a)d–#%(b)d 缺失（已被删除）") % {"a": expected, "b": ev.seq - 1})
        if ev.prev_hash != prev_hash:
            problems.add("link", _("事件 #%(seq)d 的前序哈希与上一事件不符（链条断裂）") % {"seq": ev.seq})
        if chain_hash(ev.prev_hash, ev.hashed_payload()) != ev.hash:
            problems.add("content", _("事件 #%(seq)d 的内容与其哈希不符（已被篡改）") % {"seq": ev.seq})
        if ev.seq in wanted:
            report.legacy_hashes[ev.seq] = ev.hash
        prev_hash, expected = ev.hash, ev.seq + 1
        seqs.append(ev.seq)
        report.checked += 1
    report.legacy_last = max((last for _first, last in block.ranges), default=0)
    gone = _missing(block.ranges, seqs)
    if gone and gone[-1][1] == report.legacy_last:
        problems.add("missing", _("事件 %(span)s 缺失（已被删除）") % {"span": _span(gone[-1:])})
    if prev_hash != block.root or len(seqs) != block.count:
        problems.add("root", _("区块 #%(n)d（升级前的日志段）止于 %(root)s…，而区块记录为 %(want)s…：末尾事件被删除或改写。")
                     % {"n": block.number, "root": prev_hash[:12], "want": block.root[:12]})


def _check_block(block: ChainBlock, using: str, report: ChainReport, problems: _Problems) -> None:
    leaves, seqs = [], []
    for ev in _events(using, block.ranges):
        if event_hash(ev.hashed_payload()) != ev.hash:
            problems.add("content", _("事件 #%(seq)d 的内容与其哈希不符（已被篡改）") % {"seq": ev.seq})
        leaves.append((ev.seq, _safe_hex(ev.hash)))
        seqs.append(ev.seq)
        report.checked += 1
    gone = _missing(block.ranges, seqs)
    if gone:
        problems.add("missing", _("事件 %(span)s 缺失（已被删除；它们封存在区块 #%(n)d 中）") % {"span": _span(gone), "n": block.number})
    elif len(seqs) != block.count or merkle_root(leaves) != block.root:
        problems.add("root", _("区块 #%(n)d 的默克尔根与其事件不符：事件被替换、重排或改写过。") % {"n": block.number})


def verify_chain(*, using: str = DEFAULT_DB_ALIAS, checkpoints: Sequence[Checkpoint] = (),
                 probe: Collection[int] = (), legacy_probe: Collection[int] = ()) -> ChainReport:
    """Check every block, every event and the queue once; compare with ``checkpoints``; remember the block
    hashes at ``probe`` numbers (and legacy event hashes at ``legacy_probe`` seqs)."""
    report = ChainReport()
    problems = _Problems(report)
    wanted_blocks = set(probe) | {cp.seq for cp in checkpoints if cp.of_block}
    wanted_legacy = set(legacy_probe) | {cp.seq for cp in checkpoints if not cp.of_block}
    prev_hash, expected, sealed, covered = GENESIS, 1, 0, []
    for block in ChainBlock.objects.using(using).order_by("number").iterator(chunk_size=100):
        if block.number != expected:
            problems.add("blocks", _("区块 #%(a)d–#%(b)d 缺失（已被删除）") % {"a": expected, "b": block.number - 1})
        if block.prev_hash != prev_hash:
            problems.add("blocks", _("区块 #%(n)d 的前序哈希与上一区块不符（链条断裂）") % {"n": block.number})
        if block_hash(block.hashed_payload()) != block.hash:
            problems.add("blocks", _("区块 #%(n)d 的内容与其哈希不符（已被篡改）") % {"n": block.number})
        if range_size(block.ranges) != block.count and block.kind != ChainBlock.KIND_LEGACY:
            problems.add("blocks", _("区块 #%(n)d 记录的事件数与其范围不符（已被篡改）") % {"n": block.number})
        if block.kind == ChainBlock.KIND_LEGACY:
            _check_legacy(block, using, report, problems, wanted_legacy)
        else:
            _check_block(block, using, report, problems)
        covered.extend(block.ranges)
        sealed += block.count
        if block.number in wanted_blocks:
            report.block_hashes[block.number] = block.hash
        prev_hash, expected = block.hash, block.number + 1
        report.last_block = block.number
        report.blocks += 1
    report.last_hash = prev_hash
    covered.sort()
    starts = [first for first, _last in covered]

    def is_covered(seq: int) -> bool:
        i = bisect.bisect_right(starts, seq) - 1
        return i >= 0 and covered[i][0] <= seq <= covered[i][1]

    # Not yet sealed: each must be queued, with its own valid hash.
    queued = sorted(UnsealedEvent.objects.using(using).values_list("seq", flat=True))
    outside = [seq for seq in queued if not is_covered(seq)]
    found = []
    for ev in _events(using, to_ranges(outside)):
        if event_hash(ev.hashed_payload()) != ev.hash:
            problems.add("content", _("事件 #%(seq)d 的内容与其哈希不符（已被篡改；尚未封存）") % {"seq": ev.seq})
        found.append(ev.seq)
        report.checked += 1
        report.unsealed += 1
    gone = _missing(to_ranges(outside), found)
    if gone:
        problems.add("missing", _("待封存的事件 %(span)s 缺失（已被删除）") % {"span": _span(gone)})
    # Events neither sealed nor queued: inserted behind the log's back, or their queue row was removed.
    if ChangeEvent.objects.using(using).count() != sealed + len(found):
        seen = set(found)
        stray = [seq for seq in ChangeEvent.objects.using(using).order_by("seq").values_list("seq", flat=True)
                 .iterator(chunk_size=10_000) if not is_covered(seq) and seq not in seen]
        if stray:
            problems.add("stray", _("事件 %(span)s 既不在任何区块中，也不在待封存队列中（被插入，或封存记录被删除）")
                         % {"span": _span(to_ranges(stray))})
    head = ChainHead.objects.using(using).filter(pk=1).first()
    if head is not None and (head.last_block != report.last_block or head.last_hash != prev_hash):
        problems.add("head", _("链头记录为区块 #%(head)d，实际最后一个区块为 #%(last)d（末尾区块被删除或链头被改动）")
                     % {"head": head.last_block, "last": report.last_block})
    report.problems.extend(compare_checkpoints(report, checkpoints))
    return report


def compare_checkpoints(report: ChainReport, checkpoints: Sequence[Checkpoint]) -> list[str]:
    """What the verified log lacks against the checkpoints: ones beyond its end, ones it contradicts. A block
    checkpoint pins block ``seq``; one from before blocks existed pins legacy event ``seq``."""
    relevant = [cp for cp in checkpoints if cp.seq > 0]
    report.checkpoints = len(relevant)
    blocks = [cp for cp in relevant if cp.of_block]
    report.latest_checkpoint = max(blocks, key=lambda cp: cp.seq, default=None) or max(
        relevant, key=lambda cp: cp.seq, default=None)
    problems = []
    beyond = [cp for cp in blocks if cp.seq > report.last_block]
    if beyond:
        latest = max(beyond, key=lambda cp: cp.seq)
        problems.append(
            _("日志只到区块 #%(last)d，但检查点 %(cp)s 记录已到区块 #%(seq)d：末尾至少 %(n)d 个区块被删除，或数据库被回退到了旧状态。")
            % {"last": report.last_block, "cp": latest.label(), "seq": latest.seq, "n": latest.seq - report.last_block})
    contradicted = [cp for cp in blocks if cp.seq <= report.last_block and report.block_hashes.get(cp.seq) != cp.hash]
    if contradicted:
        first = min(contradicted, key=lambda cp: cp.seq)
        problems.append(_("区块 #%(seq)d 的哈希与检查点 %(cp)s 不符：区块 #%(seq)d 及之前的记录被删除、替换或改写过。")
                        % {"seq": first.seq, "cp": first.label()})
    legacy = [cp for cp in relevant if not cp.of_block]
    cut = [cp for cp in legacy if cp.seq > report.legacy_last]
    if cut:
        latest = max(cut, key=lambda cp: cp.seq)
        problems.append(_("升级前的日志段只到 #%(last)d，但检查点 %(cp)s 记录链已到 #%(seq)d：末尾事件被删除。")
                        % {"last": report.legacy_last, "cp": latest.label(), "seq": latest.seq})
    wrong = [cp for cp in legacy if cp.seq <= report.legacy_last and report.legacy_hashes.get(cp.seq) != cp.hash]
    if wrong:
        first = min(wrong, key=lambda cp: cp.seq)
        problems.append(_("事件 #%(seq)d 的哈希与检查点 %(cp)s 不符：#%(seq)d 及之前的记录被删除、替换或改写过。")
                        % {"seq": first.seq, "cp": first.label()})
    return problems


def verify_history(*, extra: Sequence[Checkpoint] = (), seal_first: bool = True) -> ChainReport:
    """Seal what is committed, then check the log against the anchor file's checkpoints and any ``extra`` ones
    (a checkpoint the audit administrator exported earlier, a backup's manifest)."""
    if seal_first:
        seal()
    anchor = read_anchor()
    checkpoints = list(anchor.active)
    problems: list[str] = list(anchor.problems)
    notes: list[str] = []
    last_restore = anchor.last_restore()
    for cp in extra:
        if not cp.valid:
            problems.append(_("检查点 %(cp)s 的签名无效：它被改动过，或不是本系统（本链密钥）签发的。") % {"cp": cp.label()})
        elif last_restore is not None and cp.moment < last_restore.moment:
            # Taken before the latest restore, it may describe the branch that restore abandoned.
            notes.append(_("检查点 %(cp)s 早于 %(restore)s 的恢复，恢复前的记录不再要求与它一致。")
                         % {"cp": cp.label(), "restore": last_restore.label()})
        else:
            checkpoints.append(cp)
    report = verify_chain(checkpoints=checkpoints)
    report.problems[:0] = problems
    report.notes.extend(notes)
    if not anchor.exists:
        report.notes.append(_("尚无锚点文件 %(path)s（ANZHI_CHAIN_ANCHOR_DIR）：无法发现从末尾删除的区块。")
                            % {"path": anchor.path})
    return report
