"""Connections to PostgreSQL are reused: persistent per server thread by default, or a pool shared by the
threads (ANZHI_DB_POOL). Checked in a fresh process, as a server would start."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

PROBE = """
import json, threading, django
django.setup()
from django.conf import settings
from django.db import connection, connections
db = settings.DATABASES["default"]
out = {"max_age": db["CONN_MAX_AGE"], "health": db.get("CONN_HEALTH_CHECKS", False),
       "pool": db.get("OPTIONS", {}).get("pool")}
if out["pool"]:
    answers = []
    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            answers.append(cursor.fetchone()[0])
        connections.close_all()  # gives the connection back to the pool
    threads = [threading.Thread(target=query) for _ in range(12)]
    [t.start() for t in threads]; [t.join() for t in threads]
    out["answers"] = len(answers)
    out["backends"] = len(set(answers))
    out["stats"] = connection.pool.get_stats()["pool_max"]
print(json.dumps(out))
"""


def _probe(**env: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=settings.BASE_DIR,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "anzhi.settings", "ANZHI_TESTING": "0", **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres_url() -> str:
    """The test database this suite runs on (the probe process must find the tables)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the suite runs on it in CI)")
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_server_connections_persist_by_default() -> None:
    assert _probe(DATABASE_URL=_postgres_url()) == {"max_age": 60, "health": True, "pool": None}


def test_a_pool_serves_more_threads_than_it_has_connections() -> None:
    answer = _probe(DATABASE_URL=_postgres_url(), ANZHI_DB_POOL="3")
    assert answer["max_age"] == 0 and answer["pool"]["max_size"] == 3
    assert answer["answers"] == 12 and answer["backends"] <= 3 and answer["stats"] == 3
