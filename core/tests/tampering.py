"""Someone with database access, for the tests of the change log's tamper evidence: the append-only triggers of
the events and the blocks turned off (PostgreSQL, in the caller's transaction) or dropped (SQLite). The sealer's
queue trigger stays."""

from __future__ import annotations

from typing import Any

PG_TRIGGERS = (("core_changeevent", "core_changeevent_append_only"),  # per row, on every partition
               ("core_changeevent", "core_changeevent_no_truncate"),
               ("core_chainblock", "core_chainblock_append_only"))
SQLITE_TRIGGERS = ("core_changeevent_no_update", "core_changeevent_no_delete", "core_chainblock_no_update",
                   "core_chainblock_no_delete")


def pg_triggers(cur: Any, verb: str) -> None:
    """``verb`` "DISABLE" or "ENABLE" the append-only triggers on PostgreSQL (a cursor or a psycopg connection)."""
    for table, trigger in PG_TRIGGERS:
        cur.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")


def sqlite_drop_triggers(cur: Any) -> None:
    for trigger in SQLITE_TRIGGERS:
        cur.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def bypass_append_only(cur: Any, vendor: str) -> None:
    if vendor == "postgresql":
        pg_triggers(cur, "DISABLE")
    else:
        sqlite_drop_triggers(cur)
