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
