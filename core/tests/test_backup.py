from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update({"ANZHI_VAR_DIR": str(var), "ANZHI_DEMO": "1", "ANZHI_TESTING": "0"})
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite round trip; "
                    "the PostgreSQL path uses pg_dump/pg_restore")
def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    var = tmp_path / "var"
    manage(var, "migrate", "-v0")
    manage(var, "load_orgs")
    archive = tmp_path / "b.tar.gz"
    manage(var, "backup", "--output", str(archive))
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.sqlite3"} <= set(tar.getnames())
    db = var / "anzhi.sqlite3"
    with sqlite3.connect(db) as conn:
        units = conn.execute("select count(*) from orgs_unit").fetchone()[0]
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("delete from orgs_unitalias")
    out = manage(var, "restore", str(archive), "--yes").stdout
    assert "校验通过" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from orgs_unit").fetchone()[0] == units
        assert conn.execute("select count(*) from orgs_unitalias").fetchone()[0] > 0
    assert "校验通过" in manage(var, "verify_history").stdout
