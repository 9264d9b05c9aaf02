"""The change log partitioned by ``seq`` range on PostgreSQL (docs/SCALING.md, "Partitioning").

``core_changeevent`` grows without bound. On PostgreSQL it is a range-partitioned table (migration core 0008):
``core_changeevent_0`` holds every event up to the first boundary (on an installation that had events, the old
table itself, attached), then one partition per ``AUDIT_PARTITION_SIZE`` numbers, and ``core_changeevent_default``
as a safety net that takes any number no partition covers yet, so an append never fails for want of a partition.

The sealer works in ``seq`` order and verification walks blocks, so a partition is a run of whole numbers that can
later be detached to cheaper storage after an anchored checkpoint. Every partition refuses UPDATE and DELETE (a row
trigger on the parent, ``core_changeevent_append_only``, which PostgreSQL clones onto each partition); the parent
refuses TRUNCATE (``core_changeevent_no_truncate``). A TRUNCATE naming one partition is not refused, as no DDL is:
the hash chain finds what it removed (``core.chain.verify_chain``).

``ensure_partitions`` keeps ``AHEAD`` empty partitions beyond the sequence's current number. It runs after every
``migrate`` and daily in the worker (``core.tasks.log_partitions``). A new partition is created detached, given
its bound as a CHECK, and attached: attaching takes only a SHARE UPDATE EXCLUSIVE lock on the parent, so appends go
on meanwhile (``CREATE TABLE … PARTITION OF`` would lock every writer out). SQLite keeps one plain table.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

TABLE = "core_changeevent"
DEFAULT_PARTITION = f"{TABLE}_default"
SEQUENCE = "core_changeevent_seq"
AHEAD = 2
_BOUND = re.compile(r"FOR VALUES FROM \((MINVALUE|'?-?\d+'?)\) TO \((MAXVALUE|'?-?\d+'?)\)")


@dataclass(frozen=True)
class Partition:
    name: str
    lower: int | None  # None: MINVALUE
    upper: int | None  # None: MAXVALUE; both None for the default partition
    is_default: bool = False


def is_partitioned(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [TABLE])
        return bool(cur.fetchone()[0])


def _bound(text: str) -> int | None:
    return None if text in ("MINVALUE", "MAXVALUE") else int(text.strip("'"))


def partitions(using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """The change log's partitions, lowest first (the default partition last); empty where it is one table."""
    if not is_partitioned(using):
        return []
    with connections[using].cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)", [TABLE])
        rows = cur.fetchall()
    out: list[Partition] = []
    for name, bound in rows:
        if bound == "DEFAULT":
            out.append(Partition(name, None, None, is_default=True))
            continue
        found = _BOUND.search(bound)
        if found is None:  # not a range this module made: leave it alone, but say so
            logger.warning("change-log partition %s has an unexpected bound %r", name, bound)
            continue
        out.append(Partition(name, _bound(found.group(1)), _bound(found.group(2))))
    return sorted(out, key=lambda p: (p.is_default, -1 if p.lower is None else p.lower))


def _current_seq(cur: object) -> int:
    cur.execute(f"SELECT last_value FROM {SEQUENCE}")  # type: ignore[attr-defined]
    return int(cur.fetchone()[0])  # type: ignore[attr-defined]


def ensure_partitions(*, ahead: int = AHEAD, size: int | None = None, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create range partitions until ``ahead`` whole partitions lie beyond the sequence's current number; returns
    the names created. Numbers that the default partition already holds are never covered by a new partition (the
    attach would fail): the first new one starts above them, and a warning says the job had fallen behind."""
    if not is_partitioned(using):
        return []
    size = size or settings.AUDIT_PARTITION_SIZE
    connection = connections[using]
    created: list[str] = []
    with transaction.atomic(using=using), connection.cursor() as cur:
        # Waits at most a moment for a long reader of the parent; the next run tries again.
        cur.execute("SET LOCAL lock_timeout = '5s'")
        ranged = [p for p in partitions(using) if not p.is_default]
        top = max((p.upper for p in ranged if p.upper is not None), default=0)
        cur.execute(f"SELECT MAX(seq) FROM {DEFAULT_PARTITION}")
        stray = cur.fetchone()[0]
        if stray is not None and stray >= top:
            logger.warning("change-log numbers up to %s lie in %s: partitions start above them", stray,
                           DEFAULT_PARTITION)
            top = stray + 1
        target = _current_seq(cur) + ahead * size
        while top < target:
            lower, upper = top, top + size
            name = f"{TABLE}_{lower}"
            cur.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cur.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bound CHECK (seq >= {lower} AND seq < {upper})")
            cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})")
            created.append(name)
            top = upper
    if created:
        logger.info("change-log partitions created: %s", ", ".join(created))
    return created


__all__ = ["AHEAD", "DEFAULT_PARTITION", "Partition", "TABLE", "ensure_partitions", "is_partitioned", "partitions"]
