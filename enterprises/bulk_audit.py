"""Many change-log events in one go, for bulk imports.

Same events as ``core.audit.record`` (same fields, same hash chain, verified by ``verify_history``), but
the chain head is locked once and the events are inserted with one ``bulk_create`` per batch: recording
50,000 imported enterprises costs seconds instead of minutes. Suggested to move into core/audit.py as
``record_many`` (see the report of issue 4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core import audit


def record_many(events: Iterable[tuple[str, models.Model, Mapping[str, Any], str]], *, batch: int = 1000,
                jsonable: bool = False) -> int:
    """events: (action, obj, changes, note). Must run inside the caller's transaction. ``jsonable=True``
    when the caller already passes JSON-ready changes (str/int/bool/None/lists), skipping the conversion."""
    from core.models import ChainHead, ChangeEvent

    ctx = audit.current_context()
    if not transaction.get_connection().in_atomic_block:
        raise audit.AuditContextMissing("record_many() must run inside the writing transaction")
    who = ctx.resolved_actor()
    actor_id = getattr(who, "pk", None)
    label = f"{who.get_username()} {getattr(who, 'full_name', '')}".strip() if who is not None else ""
    head = ChainHead.objects.select_for_update().get(pk=1)
    seq, prev = head.last_seq, head.last_hash
    pending: list[Any] = []
    count = 0
    now = timezone.now()
    for action, obj, changes, note in events:
        seq += 1
        event = ChangeEvent(
            seq=seq, occurred_at=now, actor_id=actor_id, actor_label=label, source=ctx.source, ip=ctx.ip,
            request_id=ctx.request_id, action=action, success=True, object_type=audit.object_label(obj),
            object_id=str(obj.pk), object_repr=str(obj)[:200],
            changes=dict(changes) if jsonable else audit.to_jsonable(dict(changes)),
            note=note, prev_hash=prev)
        event.hash = audit.chain_hash(prev, event.hashed_payload())
        prev = event.hash
        pending.append(event)
        count += 1
        if len(pending) >= batch:
            ChangeEvent.objects.bulk_create(pending)
            pending = []
    if pending:
        ChangeEvent.objects.bulk_create(pending)
    if count:
        ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return count
