"""The forensic change log: who, when, from where, what changed (before -> after).

Every service that writes a business object calls ``record()`` inside its transaction. The
actor, source (web / api / import / command / system) and client address come from the
*audit context*, set once per request by ``core.middleware.AuditContextMiddleware`` and by
``audit_context()`` in management commands, imports and background tasks. A write without a
context is a programming error and raises, so the log can never silently miss a write.

Appends take no shared lock: each event gets its ``seq`` from a database sequence (PostgreSQL; SQLite, which
serialises writers anyway, takes the next number) and stores the HMAC-SHA256 of its own content, ``seq``
included, keyed by settings.AUDIT_CHAIN_KEY. ``core.chain.seal`` (a periodic job, and the first step of every
verification, backup and export) then seals committed events into hash-chained blocks, so editing, deleting,
reordering or inserting stored events is detected by ``manage.py verify_history``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from django.http import HttpRequest


class Source(models.TextChoices):
    WEB = "web", "网页"
    API = "api", "接口"
    IMPORT = "import", "导入"
    COMMAND = "command", "命令"
    SYSTEM = "system", "系统任务"


class AuditContextMissing(RuntimeError):
    """Raised when a business write happens outside any audit context."""


@dataclass
class AuditContext:
    source: str
    actor: Any = None
    ip: str | None = None
    request: HttpRequest | None = field(default=None, repr=False)
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def resolved_actor(self) -> Any:
        # API token authentication happens inside the DRF view, after the middleware ran:
        # read the user from the request at write time, not at request start.
        if self.actor is not None:
            return self.actor
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated:
                return user
        return None


_current: ContextVar[AuditContext | None] = ContextVar("anzhi_audit_context", default=None)


@contextmanager
def audit_context(*, source: str, actor: Any = None, ip: str | None = None,
                  request: HttpRequest | None = None) -> Iterator[AuditContext]:
    ctx = AuditContext(source=source, actor=actor, ip=ip, request=request)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current_context() -> AuditContext:
    ctx = _current.get()
    if ctx is None:
        raise AuditContextMissing("write outside an audit context: wrap it in core.audit.audit_context()")
    return ctx


def to_jsonable(value: Any) -> Any:
    """Turn a field value into something stable in JSON (the hash depends on it)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        f = obj._meta.get_field(name)
        if f.many_to_many:
            out[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif f.is_relation:
            out[name] = getattr(obj, f.attname)
        else:
            out[name] = to_jsonable(getattr(obj, name))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]}."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {
        k: [to_jsonable(before.get(k)), to_jsonable(after.get(k))]
        for k in keys
        if to_jsonable(before.get(k)) != to_jsonable(after.get(k))
    }


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


_str = json.encoder.encode_basestring  # what _dumps does with a str (ensure_ascii=False)
# The keys of an event's hashed payload (ChangeEvent.hashed_payload), in canonical (sorted) order.
_EVENT_KEYS = sorted(["seq", "at", "actor", "actor_label", "source", "ip", "request", "action", "success", "type",
                      "id", "repr", "changes", "note"])


def canonical_with(payload: Mapping[str, Any], name: str, value_json: str) -> bytes:
    """``canonical({**payload, name: value})`` given ``value`` already as its canonical JSON: the same bytes
    (json.dumps writes a dict's items in sorted key order as ``"key":value`` joined by commas), without
    serialising ``value`` a second time. ``payload`` has str keys and no ``name``."""
    items = sorted([*((k, _dumps(v)) for k, v in payload.items()), (name, value_json)])
    return ("{" + ",".join(f"{_dumps(k)}:{v}" for k, v in items) + "}").encode()


def chain_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """The legacy link (events written before blocks existed): HMAC(key, previous hash | content)."""
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    return hmac.new(key, prev_hash.encode() + b"|" + canonical(payload), hashlib.sha256).hexdigest()


# Its own prefix, so an event hash can never double as a legacy link (64 hex + "|"), a block hash or a
# checkpoint signature.
EVENT_CONTEXT = b"anzhi-event|"


def event_hash(payload: Mapping[str, Any]) -> str:
    """HMAC(key, content): an event's own hash. ``payload`` carries its seq, so moving it is a change too."""
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    return hmac.new(key, EVENT_CONTEXT + canonical(payload), hashlib.sha256).hexdigest()


SEQUENCE = "core_changeevent_seq"  # PostgreSQL: created by migration core 0007


def allocate_seqs(n: int) -> list[int]:
    """``n`` fresh event numbers. PostgreSQL: from a sequence, without any lock (numbers of a rolled-back
    transaction are skipped, and numbers may commit out of order: the sealer handles both). SQLite: the next
    ones after the highest stored (its transactions are IMMEDIATE, so the caller holds the only write lock)."""
    if n <= 0:
        return []
    connection = transaction.get_connection()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE, n])
            return sorted(row[0] for row in cur.fetchall())
        cur.execute("SELECT COALESCE(MAX(seq), 0) FROM core_changeevent")
        last = cur.fetchone()[0]
    return list(range(last + 1, last + n + 1))


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _actor_fields(who: Any) -> tuple[Any, str]:
    if who is None:
        return None, ""
    return who.pk, f"{who.get_username()} {getattr(who, 'full_name', '')}".strip()


def _build_event(ctx: AuditContext, who: Any, *, seq: int, at: Any, action: str, object_type: str,
                 object_id: Any, object_repr: str, changes: Any, note: str, success: bool) -> Any:
    from core.models import ChangeEvent

    actor_id, actor_label = _actor_fields(who)
    event = ChangeEvent(
        seq=seq, occurred_at=at, actor_id=actor_id, actor_label=actor_label, source=ctx.source, ip=ctx.ip,
        request_id=ctx.request_id, action=action, success=success, object_type=object_type or "",
        object_id="" if object_id is None else str(object_id), object_repr=(object_repr or "")[:200],
        changes=changes, note=note, prev_hash="",
    )
    event.hash = event_hash(event.hashed_payload())
    return event


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    actor: Any = None,
    success: bool = True,
) -> Any:
    """Append one event to the log. Must run inside the caller's transaction. Takes no lock: two queries
    (a number from the sequence, the insert; the insert's trigger queues the event for sealing)."""
    ctx = current_context()
    if not transaction.get_connection().in_atomic_block:
        raise AuditContextMissing("record() must run inside the writing service's transaction.atomic block")
    who = actor if actor is not None else ctx.resolved_actor()
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr if object_repr is not None else str(obj)
    event = _build_event(ctx, who, seq=allocate_seqs(1)[0], at=timezone.now(), action=action,
                         object_type=object_type or "", object_id=object_id, object_repr=object_repr or "",
                         changes=to_jsonable(dict(changes or {})), note=note, success=success)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True, slots=True)
class Ref:
    """An object the change log names without a model instance: for bulk writes made in the database
    (``INSERT … SELECT … RETURNING``), where only the new row's id and a few columns are at hand."""

    object_type: str
    object_id: Any
    object_repr: str


EVENT_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_label", "source", "ip", "request_id", "action", "success",
                 "object_type", "object_id", "object_repr", "changes", "note", "prev_hash", "hash")


def record_many(events: Iterable[tuple[str, models.Model | Ref, Mapping[str, Any], str]], *, batch: int = 1000,
                jsonable: bool = False) -> int:
    """Many events in one go, for bulk imports and jobs: exactly the events ``record()`` would write, one per
    object, numbered a batch at a time and written with one COPY per batch on PostgreSQL (one ``bulk_create``
    on SQLite): 50,000 imported rows cost seconds, not minutes. Takes no lock, so a long import no longer holds
    up any other writer. ``events`` yields (action, obj, changes, note), ``obj`` a model instance or a
    :class:`Ref`; ``jsonable=True`` when the changes are already JSON-ready. Must run inside the caller's
    transaction."""
    ctx = current_context()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise AuditContextMissing("record_many() must run inside the writing transaction")
    actor_id, actor_label = _actor_fields(ctx.resolved_actor())
    now = timezone.now()
    at = to_jsonable(now)
    key = (settings.AUDIT_CHAIN_KEY or "").encode()
    copy = connection.vendor == "postgresql"
    fixed = {"at": _dumps(at), "actor": _dumps(actor_id), "actor_label": _dumps(actor_label),
             "source": _dumps(ctx.source), "ip": _dumps(ctx.ip), "request": _dumps(ctx.request_id), "success": "true"}
    count = 0
    rows: list[tuple[str, models.Model | Ref, Mapping[str, Any], str]] = []

    def build() -> list[tuple[Any, ...]]:
        out = []
        for seq, (action, obj, changes, note) in zip(allocate_seqs(len(rows)), rows, strict=True):
            if isinstance(obj, Ref):
                object_type, object_id, object_repr = obj.object_type, obj.object_id, obj.object_repr
            else:
                object_type, object_id, object_repr = object_label(obj), obj.pk, str(obj)
            object_id = "" if object_id is None else str(object_id)
            object_repr = (object_repr or "")[:200]
            changes = dict(changes) if jsonable else to_jsonable(dict(changes))
            # canonical(payload), built from parts: the fields every event of the call shares are serialised
            # once, the changes once (their JSON is both hashed and, on PostgreSQL, COPY'd). The same bytes
            # (core/tests/test_canonical_with.py holds the stored hashes equal to event_hash()).
            changes_json = _dumps(changes)
            parts = {**fixed, "seq": str(seq), "action": _str(action), "type": _str(object_type),
                     "id": _str(object_id), "repr": _str(object_repr), "changes": changes_json, "note": _dumps(note)}
            text = "{" + ",".join([f'"{k}":{parts[k]}' for k in _EVENT_KEYS]) + "}"
            digest = hmac.new(key, EVENT_CONTEXT + text.encode(), hashlib.sha256).hexdigest()
            out.append((seq, now, actor_id, actor_label, ctx.source, ctx.ip, ctx.request_id, action, True,
                        object_type, object_id, object_repr, changes_json if copy else changes, note, "", digest))
        return out

    def flush() -> None:
        values = build()
        rows.clear()
        if copy:
            _copy_events(connection, values)
        else:
            from core.models import ChangeEvent

            ChangeEvent.objects.bulk_create([ChangeEvent(**dict(zip(EVENT_COLUMNS, v, strict=True))) for v in values])

    for item in events:
        rows.append(item)
        count += 1
        if len(rows) >= batch:
            flush()
    if rows:
        flush()
    return count


def _copy_events(connection: Any, values: list[tuple[Any, ...]]) -> None:
    """COPY events into the log (PostgreSQL): the insert trigger queues them for sealing as for any insert. The
    changes come as their JSON text, which the server reads into the jsonb column."""
    from core.models import ChangeEvent

    table = connection.ops.quote_name(ChangeEvent._meta.db_table)
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
        for v in values:
            copy.write_row(v)
