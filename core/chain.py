"""Verification of the change-log chain (used by ``manage.py verify_history``, the audit pages and restore).

Two questions: does every stored event link to the one before it (``verify_chain``, one pass over the
events), and does the chain still reach every checkpoint kept outside the database (``core.anchor``)? The
second is what notices events cut from the end together with a rewound ``ChainHead``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from core.anchor import GENESIS, Checkpoint, read_anchor
from core.audit import chain_hash
from core.models import ChainHead, ChangeEvent


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth saying, but not a failure
    last_seq: int = 0
    last_hash: str = GENESIS
    hashes: dict[int, str] = field(default_factory=dict)  # hash of the event at each probed seq
    checkpoints: int = 0  # checkpoints compared
    latest_checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, batch: int = 5000, using: str = DEFAULT_DB_ALIAS, checkpoints: Sequence[Checkpoint] = (),
                 probe: Collection[int] = ()) -> ChainReport:
    """Walk the chain once; compare it with ``checkpoints``; remember the hashes at ``probe`` seqs."""
    report = ChainReport()
    wanted = set(probe) | {cp.seq for cp in checkpoints}
    prev_hash = GENESIS
    expected_seq = 1
    qs = ChangeEvent.objects.using(using).order_by("seq")
    start = 0
    while True:
        rows = list(qs.filter(seq__gt=start)[:batch])
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                report.problems.append(_("事件 #%(a)d–#%(b)d 缺失（已被删除）") % {"a": expected_seq, "b": ev.seq - 1})
            if ev.prev_hash != prev_hash:
                report.problems.append(_("事件 #%(seq)d 的前序哈希与上一事件不符（链条断裂）") % {"seq": ev.seq})
            if chain_hash(ev.prev_hash, ev.hashed_payload()) != ev.hash:
                report.problems.append(_("事件 #%(seq)d 的内容与其哈希不符（已被篡改）") % {"seq": ev.seq})
            if ev.seq in wanted:
                report.hashes[ev.seq] = ev.hash
            prev_hash = ev.hash
            expected_seq = ev.seq + 1
            report.last_seq = ev.seq
            report.checked += 1
        start = rows[-1].seq
    report.last_hash = prev_hash
    head = ChainHead.objects.using(using).filter(pk=1).first()
    if head is not None and (head.last_seq != report.last_seq or head.last_hash != prev_hash):
        report.problems.append(_("链头记录为 #%(head)d，实际最后一条为 #%(last)d（末尾事件被删除或链头被改动）")
                               % {"head": head.last_seq, "last": report.last_seq})
    report.problems.extend(compare_checkpoints(report, checkpoints))
    return report


def compare_checkpoints(report: ChainReport, checkpoints: Sequence[Checkpoint]) -> list[str]:
    """What the walked chain lacks against the checkpoints: ones beyond its end, ones it contradicts."""
    relevant = [cp for cp in checkpoints if cp.seq > 0]
    report.checkpoints = len(relevant)
    report.latest_checkpoint = max(relevant, key=lambda cp: cp.seq, default=None)
    problems = []
    beyond = [cp for cp in relevant if cp.seq > report.last_seq]
    if beyond:
        latest = max(beyond, key=lambda cp: cp.seq)
        problems.append(
            _("链只到 #%(last)d，但检查点 %(cp)s 记录链已到 #%(seq)d：末尾至少 %(n)d 条事件被删除，或数据库被回退到了旧状态。")
            % {"last": report.last_seq, "cp": latest.label(), "seq": latest.seq, "n": latest.seq - report.last_seq})
    contradicted = [cp for cp in relevant if cp.seq <= report.last_seq and report.hashes.get(cp.seq) != cp.hash]
    if contradicted:
        first = min(contradicted, key=lambda cp: cp.seq)
        problems.append(_("事件 #%(seq)d 的哈希与检查点 %(cp)s 不符：#%(seq)d 及之前的记录被删除、替换或改写过。")
                        % {"seq": first.seq, "cp": first.label()})
    return problems


def verify_history(*, extra: Sequence[Checkpoint] = ()) -> ChainReport:
    """The chain, checked against the anchor file's checkpoints and any ``extra`` ones (a checkpoint the audit
    administrator exported earlier, a backup's manifest)."""
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
        report.notes.append(_("尚无锚点文件 %(path)s（ANZHI_CHAIN_ANCHOR_DIR）：无法发现从末尾删除的事件。")
                            % {"path": anchor.path})
    return report
