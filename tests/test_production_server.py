"""The documented multi-process path (docs/DEPLOY.md) works as written: gunicorn serves the WSGI application from
several processes, ``manage.py db_worker`` runs the tasks and ``manage.py run_periodic --every`` queues the
periodic jobs, each a process of its own, on one database."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, dict(answer.headers), answer.read()


def test_gunicorn_with_a_separate_worker_and_scheduler(tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"ANZHI_VAR_DIR": str(tmp_path), "ANZHI_CHAIN_ANCHOR_DIR": str(tmp_path / "anchor"),
                "DJANGO_DEBUG": "0", "ANZHI_TESTING": "0", "PYTHONUNBUFFERED": "1"})
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        done = subprocess.run([*manage, *step], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
    port = _free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "anzhi.wsgi:application", "--workers", "2", "--threads", "2",
                "--bind", f"127.0.0.1:{port}"]
    processes = {
        "web": subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
        "worker": subprocess.Popen([*manage, "db_worker", "--interval", "0.5", "--no-startup-delay"], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        "scheduler": subprocess.Popen([*manage, "run_periodic", "--every", "1"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    }
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                _get(f"{url}/healthz")
                break
            except OSError:
                assert processes["web"].poll() is None, processes["web"].stderr.read().decode()[-3000:]
                assert time.time() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        status, headers, page = _get(f"{url}/accounts/login/")
        assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
        stylesheet = page.split(b'href="/static/core/anzhi.')[1].split(b'"')[0].decode()
        status, headers, _css = _get(f"{url}/static/core/anzhi.{stylesheet}")
        assert status == 200 and "immutable" in headers.get("Cache-Control", ""), "hashed files are cached for good"

        # The scheduler queues the periodic jobs in the database; the worker process runs them.
        database = tmp_path / "anzhi.sqlite3"
        deadline = time.time() + 90
        while True:
            with sqlite3.connect(database, timeout=10) as db:
                rows = dict(db.execute("SELECT task_path, status FROM django_tasks_database_dbtaskresult "
                                       "WHERE task_path = 'core.tasks.prune_import_previews'").fetchall())
            if rows.get("core.tasks.prune_import_previews") == "SUCCESSFUL":
                break
            for name, process in processes.items():
                assert process.poll() is None, f"{name} stopped"
            assert time.time() < deadline, f"the worker did not run the queued job: {rows}"
            time.sleep(0.5)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
