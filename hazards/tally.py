"""The maintained hazard counts (``HazardTally``, ``HazardDue``; see ``hazards.models.tally``): kept in the same
transaction as every write that changes a counted attribute, and rebuilt from the hazards for existing data or
repair.

A write takes the counted attributes of the locked hazard before it changes them (``remember``) and, after the
save, moves the hazard from its old keys to its new ones (``follow``): one ``INSERT … ON CONFLICT`` upsert per
table, adding −1 and +1, keys sorted so two writers lock rows in the same order. Nothing but the hazard's own rows
and the tally rows is locked. A new hazard is ``added``; an enterprise's move re-keys its hazards with ``rekey``.
``fold`` (daily) moves the deadline days already past into the ``PAST`` row of their (path, domain); it deletes
what it folds with ``RETURNING``, so an increment committed meanwhile is either folded or kept on its day row, and
the sum over days before today is the same either way. ``rebuild`` recounts everything (idempotent).

The one rule of what is counted where is ``keys``; ``hazards.selectors.figures_for`` reads the rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from hazards.choices import DONE_STATUSES, OVERDUE_STATUSES
from hazards.models.tally import PAST, HazardDue, HazardTally

# The attributes of a hazard the counts depend on, in this order.
COUNTED = ("jurisdiction_path", "domain_id", "grade", "status", "deadline", "rectified_on")
TALLY_KEY = ("jurisdiction_path", "domain_id", "grade", "status", "on_time")
DUE_KEY = ("jurisdiction_path", "domain_id", "deadline")
BATCH = 500

State = tuple[Any, ...]


def state(hazard: Any) -> State:
    return tuple(getattr(hazard, name) for name in COUNTED)


def _on_time(status: str, deadline: dt.date | None, rectified_on: dt.date | None) -> bool:
    return status in DONE_STATUSES and (deadline is None or (rectified_on is not None and rectified_on <= deadline))


def keys(s: State) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """Where a hazard in state ``s`` is counted: its ``HazardTally`` key and its ``HazardDue`` key (None when it
    cannot be overdue: a status past the responsible party's duty, or no deadline)."""
    path, domain_id, grade, status, deadline, rectified_on = s
    tally = (path, domain_id, grade or "", status, _on_time(status, deadline, rectified_on))
    due = (path, domain_id, deadline) if status in OVERDUE_STATUSES and deadline is not None else None
    return tally, due


def _delta(changes: Iterable[tuple[State, int]]) -> tuple[Counter, Counter]:
    tally: Counter = Counter()
    due: Counter = Counter()
    for s, sign in changes:
        t, d = keys(s)
        tally[t] += sign
        if d is not None:
            due[d] += sign
    return tally, due


def _write(tally: Counter, due: Counter) -> None:
    upsert(HazardTally, TALLY_KEY, {k: n for k, n in tally.items() if n})
    upsert(HazardDue, DUE_KEY, {k: n for k, n in due.items() if n})


def upsert(model: Any, key: tuple[str, ...], counts: dict[tuple[Any, ...], int]) -> None:
    """Add ``counts`` to the rows of ``model`` keyed by ``key`` (created at zero when missing), sorted by key."""
    if not counts:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in (*key, "n"))
    rows = sorted(counts.items(), key=lambda kv: tuple("" if v is None else str(v) for v in kv[0]))
    for start in range(0, len(rows), BATCH):
        part = rows[start:start + BATCH]
        one = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
        params: list[Any] = []
        for k, n in part:
            params += [*k, n]
        sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))} "
               f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET {qn('n')} = {table}.{qn('n')} + "
               f"excluded.{qn('n')}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


# -- the writes -------------------------------------------------------------------------------------------------
def remember(hazard: Any) -> Any:
    """Keep the counted attributes of a hazard just locked and re-read, before a write changes them."""
    hazard._tally_state = state(hazard)
    return hazard


def follow(hazard: Any) -> None:
    """After the save: move the hazard from the keys it was counted under (``remember``) to its current ones."""
    before = getattr(hazard, "_tally_state", None)
    if before is None:
        raise RuntimeError("hazards.tally.follow without remember: lock the hazard through the service")
    now = state(hazard)
    if now != before:
        _write(*_delta([(before, -1), (now, +1)]))
    hazard._tally_state = now


def added(hazard: Any) -> None:
    """A hazard was created: count it."""
    _write(*_delta([(state(hazard), +1)]))
    hazard._tally_state = state(hazard)


def rekey(rows: Any, values: dict[str, Any]) -> int:
    """Re-key hazards (an enterprise moved): lock them, move their counts, update them. Returns rows changed."""
    before = [tuple(r) for r in rows.select_for_update().values_list(*COUNTED)]
    n = rows.update(**values)
    after = [tuple(values.get(name, v) for name, v in zip(COUNTED, s, strict=True)) for s in before]
    _write(*_delta([*((s, -1) for s in before), *((s, +1) for s in after)]))
    return n


# -- upkeep ------------------------------------------------------------------------------------------------------
@transaction.atomic
def fold(today: dt.date | None = None) -> int:
    """Fold the deadline days before ``today`` into the ``PAST`` row of their (path, domain). Returns day rows
    folded."""
    today = today or timezone.localdate()
    qn = connection.ops.quote_name
    table = qn(HazardDue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {qn('deadline')} > %s AND {qn('deadline')} < %s "
                       f"RETURNING {qn('jurisdiction_path')}, {qn('domain_id')}, {qn('n')}", [PAST, today])
        gone = cursor.fetchall()
        cursor.execute(f"DELETE FROM {table} WHERE {qn('n')} = 0 AND {qn('deadline')} > %s", [PAST])
    past: Counter = Counter()
    for path, domain_id, n in gone:
        past[(path, domain_id, PAST)] += n
    upsert(HazardDue, DUE_KEY, {k: n for k, n in past.items() if n})
    return len(gone)


def tally_rows(hazards: Any) -> dict[tuple[Any, ...], int]:
    """The ``HazardTally`` counts of a queryset of hazards, grouped in the database."""
    on_time = Case(When(Q(status__in=DONE_STATUSES) & (Q(deadline__isnull=True) | Q(rectified_on__lte=F("deadline"))),
                        then=Value(True)), default=Value(False), output_field=BooleanField())
    qs = (hazards.order_by().annotate(g=Coalesce("grade", Value("")), t=on_time)
          .values("jurisdiction_path", "domain_id", "g", "status", "t").annotate(c=Count("pk")))
    return {(r["jurisdiction_path"], r["domain_id"], r["g"], r["status"], bool(r["t"])): r["c"] for r in qs}


def due_rows(hazards: Any, today: dt.date) -> dict[tuple[Any, ...], int]:
    """The ``HazardDue`` counts of a queryset of hazards, days before ``today`` folded into ``PAST``."""
    qs = (hazards.order_by().filter(status__in=OVERDUE_STATUSES, deadline__isnull=False)
          .values("jurisdiction_path", "domain_id", "deadline").annotate(c=Count("pk")))
    out: Counter = Counter()
    for r in qs:
        day = r["deadline"] if r["deadline"] >= today else PAST
        out[(r["jurisdiction_path"], r["domain_id"], day)] += r["c"]
    return dict(out)


@transaction.atomic
def rebuild(today: dt.date | None = None) -> int:
    """Recount both tables from the hazards (idempotent). Returns the rows written. On PostgreSQL the hazards are
    share-locked meanwhile, so no write is counted twice or lost."""
    from hazards.models import Hazard

    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Hazard._meta.db_table)} IN SHARE MODE")
    HazardTally.objects.all().delete()
    HazardDue.objects.all().delete()
    tally = tally_rows(Hazard.objects.all())
    due = due_rows(Hazard.objects.all(), today)
    upsert(HazardTally, TALLY_KEY, tally)
    upsert(HazardDue, DUE_KEY, due)
    return len(tally) + len(due)


def snapshot() -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """Both tables as {key: n} without zero rows, days before today folded (tests, repair checks)."""
    today = timezone.localdate()
    tally = {tuple(r[:-1]): r[-1] for r in HazardTally.objects.values_list(*TALLY_KEY, "n") if r[-1]}
    due: Counter = Counter()
    for *k, n in HazardDue.objects.values_list(*DUE_KEY, "n"):
        due[(k[0], k[1], k[2] if k[2] >= today else PAST)] += n
    return tally, {k: n for k, n in due.items() if n}
