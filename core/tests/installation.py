"""A real installation in a temporary folder, driven through manage.py, on the engine the suite runs on.

SQLite: a var folder of its own. PostgreSQL (DATABASE_URL set): a database of its own on the same server,
named after the suite's database, dropped at the end. Both sign with the suite's chain key, so the suite can
check what the installation writes."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings

from core.tests.tampering import pg_triggers, sqlite_drop_triggers

ROOT = Path(__file__).resolve().parents[2]
SUITE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = SUITE_URL.startswith("postgres")


def _pg(url: str) -> dict[str, Any]:
    db = dj_database_url.parse(url)
    return {"host": db["HOST"] or "localhost", "port": int(db["PORT"] or 5432), "user": db["USER"] or "postgres",
            "password": db["PASSWORD"] or "", "dbname": db["NAME"]}


def _pg_args(params: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    return (["-h", params["host"], "-p", str(params["port"]), "-U", params["user"]],
            {**os.environ, "PGPASSWORD": params["password"]})


def _pg_admin(sql: str) -> None:
    import psycopg

    params = {**_pg(SUITE_URL), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Installation:
    root: Path
    database: str  # SQLite file, or PostgreSQL database name

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def media(self) -> Path:
        return self.var / "media"

    @property
    def anchor_file(self) -> Path:
        return self.root / "anchor" / "chain-anchor.jsonl"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ANZHI_CHAIN_ANCHOR_DIR")}
        env.update({"ANZHI_VAR_DIR": str(self.var), "ANZHI_DEMO": "1", "ANZHI_TESTING": "0",
                    "ANZHI_CHAIN_ANCHOR_DIR": str(self.root / "anchor"), "AUDIT_CHAIN_KEY": settings.AUDIT_CHAIN_KEY})
        if POSTGRES:
            url = SUITE_URL.rsplit("/", 1)[0]
            env["DATABASE_URL"] = f"{url}/{self.database}"
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=self.env(),
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if POSTGRES:
            import psycopg

            with psycopg.connect(**{**_pg(SUITE_URL), "dbname": self.database}) as conn:
                return conn.execute(sql).fetchall()
        with closing(sqlite3.connect(self.database)) as conn:
            return conn.execute(sql).fetchall()

    def attack(self, *statements: str) -> None:
        """Write to the live database as someone with database access (append-only trigger bypassed)."""
        if POSTGRES:
            import psycopg

            with psycopg.connect(**{**_pg(SUITE_URL), "dbname": self.database}) as conn:
                pg_triggers(conn, "DISABLE")
                for sql in statements:
                    conn.execute(sql)
                pg_triggers(conn, "ENABLE")
            return
        with closing(sqlite3.connect(self.database)) as conn, conn:
            sqlite_drop_triggers(conn)
            for sql in statements:
                conn.execute(sql)

    def state(self) -> dict[str, Any]:
        """What "untouched" means: the chain head, the rows, the files, the anchor."""
        files = {str(p.relative_to(self.media)): p.read_bytes() for p in sorted(self.media.rglob("*")) if p.is_file()}
        return {
            "head": self.query("SELECT last_block, last_hash FROM core_chainhead")[0],
            "events": self.query("SELECT count(*), max(seq) FROM core_changeevent")[0],
            "units": self.query("SELECT count(*) FROM orgs_unit")[0],
            "media": files,
            "anchor": self.anchor_file.read_bytes() if self.anchor_file.exists() else None,
            "leftovers": sorted(p.name for p in self.var.iterdir() if p.name.startswith(".media-restore-")),
        }

    def clone(self, root: Path) -> Installation:
        root.mkdir(parents=True)
        shutil.copytree(self.var, root / "var")
        shutil.copytree(self.root / "anchor", root / "anchor")
        if POSTGRES:
            name = f"{self.database}_c{secrets.token_hex(3)}"
            _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.database}"')
            return Installation(root, name)
        return Installation(root, str(root / "var" / "anzhi.sqlite3"))

    def drop(self) -> None:
        if POSTGRES:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def create_installation(root: Path) -> Installation:
    root.mkdir(parents=True, exist_ok=True)
    if POSTGRES:
        name = f"{_pg(SUITE_URL)['dbname']}_inst_{secrets.token_hex(3)}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        inst = Installation(root, name)
    else:
        inst = Installation(root, str(root / "var" / "anzhi.sqlite3"))
    inst.manage("migrate", "-v0")
    inst.manage("load_orgs")
    return inst


def rewrite_archive(archive: Path, out: Path, *, sql: tuple[str, ...] = (),
                    manifest: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """A copy of ``archive`` altered after the fact: ``sql`` run on its database (triggers bypassed), its
    manifest passed through ``manifest``."""
    work = out.parent / f"{out.name}.d"
    work.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    if sql and POSTGRES:
        import psycopg

        params = _pg(SUITE_URL)
        args, env = _pg_args(params)
        scratch = f"{params['dbname']}_tamper_{secrets.token_hex(3)}"
        _pg_admin(f'CREATE DATABASE "{scratch}"')
        try:
            subprocess.run(["pg_restore", "--no-owner", "-d", scratch, *args, str(work / "database.pgdump")],
                           check=True, env=env, capture_output=True)
            with psycopg.connect(**{**params, "dbname": scratch}) as conn:
                pg_triggers(conn, "DISABLE")
                for statement in sql:
                    conn.execute(statement)
                pg_triggers(conn, "ENABLE")
            subprocess.run(["pg_dump", "-Fc", "-f", str(work / "database.pgdump"), *args, scratch], check=True,
                           env=env, capture_output=True)
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    elif sql:
        with closing(sqlite3.connect(work / "database.sqlite3")) as conn, conn:
            sqlite_drop_triggers(conn)
            for statement in sql:
                conn.execute(statement)
    if manifest is not None:
        data = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        manifest(data)
        (work / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with tarfile.open(out, "w:gz") as tar:
        for item in sorted(work.iterdir()):
            tar.add(item, arcname=item.name)
    shutil.rmtree(work)
    return out
