"""Verification of the change-log chain (used by ``manage.py verify_history`` and the audit pages)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.audit import chain_hash
from core.models import ChainHead, ChangeEvent


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, batch: int = 5000) -> ChainReport:
    report = ChainReport()
    prev_hash = "0" * 64
    expected_seq = 1
    last_seq = 0
    qs = ChangeEvent.objects.order_by("seq")
    start = 0
    while True:
        rows = list(qs.filter(seq__gt=start)[:batch])
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                report.problems.append(f"事件 #{expected_seq}–#{ev.seq - 1} 缺失（已被删除）")
            if ev.prev_hash != prev_hash:
                report.problems.append(f"事件 #{ev.seq} 的前序哈希与上一事件不符（链条断裂）")
            if chain_hash(ev.prev_hash, ev.hashed_payload()) != ev.hash:
                report.problems.append(f"事件 #{ev.seq} 的内容与其哈希不符（已被篡改）")
            prev_hash = ev.hash
            expected_seq = ev.seq + 1
            last_seq = ev.seq
            report.checked += 1
        start = rows[-1].seq
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        report.problems.append(f"链头记录为 #{head.last_seq}，实际最后一条为 #{last_seq}（末尾事件被删除或链头被改动）")
    return report
