"""Helpers shared by the benchmark scripts (run as ``python bench/<script>.py``; they put the project root on
``sys.path`` before importing this)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named at the end of ``url`` if it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname=%s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    """The median of ``repeat`` runs of ``fn``, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def migrated_world() -> Any:
    """Set Django up on ``DATABASE_URL`` (creating a PostgreSQL database if missing), migrate, and build the
    fixed personas of the tests (``tests.personas.World``)."""
    import os

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from core.audit import Source, audit_context
    from tests.personas import build_world

    call_command("migrate", verbosity=0)
    with audit_context(source=Source.COMMAND):
        return build_world()


def raw_copy_seconds(tables: list[tuple[str, str]]) -> tuple[float, int]:
    """The time a bare COPY takes to write exactly the rows an import wrote (PostgreSQL): each table's rows
    (``where`` picks them) are read out as COPY text, then COPY'd into an empty copy of the table with the
    same indexes and constraints (``LIKE … INCLUDING ALL``); only the COPY in is timed."""
    from django.db import connection

    total, rows = 0.0, 0
    with connection.cursor() as cur:
        pg = cur.cursor
        for table, where in tables:
            buf = bytearray()
            with pg.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT") as out:
                for chunk in out:
                    buf += chunk
            pg.execute(f"CREATE TEMP TABLE raw_{table} (LIKE {table} INCLUDING ALL)")
            t = time.perf_counter()
            with pg.copy(f"COPY raw_{table} FROM STDIN") as into:
                into.write(bytes(buf))
            total += time.perf_counter() - t
            pg.execute(f"SELECT count(*) FROM raw_{table}")
            rows += pg.fetchone()[0]
            pg.execute(f"DROP TABLE raw_{table}")
    return total, rows
