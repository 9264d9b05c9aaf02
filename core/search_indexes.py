"""Trigram indexes for substring search on PostgreSQL (pg_trgm), as migration operations.

Searches are ``LIKE '%词%'`` (``contains``/``icontains``): a B-tree cannot serve them, so without these indexes
every search reads the whole table — a search that matches nothing is the slowest of all. A GIN index of trigrams
serves any pattern of three characters or more (Chinese included: the databases here use a UTF-8 ctype, where
CJK characters form trigrams; two-character words still read the table). SQLite keeps its simple path (no index).

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database owner may create it. When the migration's role
may not, the index is skipped with a warning and search still works, only slower."""

from __future__ import annotations

import sys
from typing import Any

from django.db import migrations


def trigram_index(table: str, name: str, expression: str) -> migrations.RunPython:
    """``CREATE INDEX name ON table USING gin (expression gin_trgm_ops)`` on PostgreSQL; nothing elsewhere.

    ``expression`` must be written as Django writes the searched column, e.g. ``UPPER("description"::text)`` for
    ``icontains`` and ``"search_text"`` for ``contains``, or the planner cannot use the index."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cursor.fetchone() is None:
                try:
                    cursor.execute("SAVEPOINT anzhi_trgm")
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    cursor.execute("RELEASE SAVEPOINT anzhi_trgm")
                except Exception as exc:  # no privilege: search works without the index
                    cursor.execute("ROLLBACK TO SAVEPOINT anzhi_trgm")
                    sys.stderr.write(f"警告：无法创建 pg_trgm 扩展（{exc}），{table} 的模糊搜索将不使用索引。\n")
                    return
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)')

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, elidable=False)
