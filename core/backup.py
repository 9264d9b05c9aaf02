"""One-command backup and restore: the database and the uploaded files in one archive.

SQLite is copied with its online backup API (consistent while the platform runs); PostgreSQL with
pg_dump/pg_restore (custom format), which must be on PATH for that engine."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT = 1


class BackupError(RuntimeError):
    pass


def _pg_env_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"PostgreSQL 备份需要 {tool}，但本机未安装（apt-get install postgresql-client）。")
    return path


def create_backup(output: Path) -> dict[str, Any]:
    from core.models import ChainHead, ChangeEvent

    head = ChainHead.objects.filter(pk=1).first()
    manifest = {
        "format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(), "engine": connection.vendor,
        "chain_head": {"seq": head.last_seq, "hash": head.last_hash} if head else None,
        "events": ChangeEvent.objects.count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(work / "database.sqlite3")
            with target:
                connection.connection.backup(target)
            target.close()
        elif connection.vendor == "postgresql":
            import os

            args, env = _pg_env_args()
            subprocess.run([_require("pg_dump"), "-Fc", "-f", str(work / "database.pgdump"), *args,
                            settings.DATABASES["default"]["NAME"]], check=True, env={**os.environ, **env})
        else:
            raise BackupError(f"不支持的数据库：{connection.vendor}")
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
    return manifest


def restore_backup(archive_path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest_path = work / "manifest.json"
        if not manifest_path.exists():
            raise BackupError("这不是安治的备份文件（缺少 manifest.json）。")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')} 与本版本（{FORMAT}）不符。")
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前为 {connection.vendor}。")
        if connection.vendor == "sqlite":
            source = sqlite3.connect(work / "database.sqlite3")
            connection.ensure_connection()
            with source:
                source.backup(connection.connection)
            source.close()
        else:
            import os

            args, env = _pg_env_args()
            connections.close_all()
            subprocess.run([_require("pg_restore"), "--clean", "--if-exists", "--no-owner", "-d",
                            settings.DATABASES["default"]["NAME"], *args, str(work / "database.pgdump")],
                           check=True, env={**os.environ, **env})
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    return manifest
