"""Background work with no extra service to start.

Tasks are django-tasks functions stored in the database (django-tasks-db). ``manage.py serve``
starts, next to the web server, a worker *process* (``manage.py db_worker``, a child of ``serve``) that
executes queued tasks — so that heavy jobs such as the escalation sweep never run in the web process — and
one scheduler thread that only queues the registered periodic jobs when they are due. ``serve
--worker-thread`` keeps the worker as a thread instead (one process, e.g. where child processes are not
wanted). Deployments that prefer separate services run ``manage.py db_worker`` and ``manage.py
run_periodic`` (cron) instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger("anzhi.background")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Any  # a django_tasks Task (has .enqueue())


PERIODIC: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: dt.timedelta) -> Callable[[Any], Any]:
    """Decorator for a django-tasks task: queue it every ``every``."""

    def decorator(task: Any) -> Any:
        PERIODIC[name] = PeriodicJob(name, every, task)
        return task

    return decorator


def enqueue_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose interval has passed; returns the names queued."""
    from core.models import PeriodicRun

    now = now or timezone.now()
    queued: list[str] = []
    for job in PERIODIC.values():
        with transaction.atomic():
            run, _created = PeriodicRun.objects.select_for_update().get_or_create(name=job.name)
            if run.last_enqueued_at is not None and run.last_enqueued_at + job.every > now:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
        job.task.enqueue()
        queued.append(job.name)
    return queued


def _scheduler_loop(stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            enqueue_due_jobs()
        except Exception:  # keep the loop alive; the failure is logged
            logger.exception("periodic scheduler failed")
        stop.wait(tick)


# django-tasks-db's public entry point is its ``db_worker`` command, which cannot run in a thread: it installs
# signal handlers (allowed in the main thread only) and its loop stops only on a signal. So ``serve`` builds the
# command's ``Worker`` exactly as the command does, with the keyword arguments of its constructor and nothing set
# afterwards, in batch mode (run what is queued, then return), a fresh one per round, so that the loop can honour
# its stop event between rounds. ``Worker`` is not documented API: pyproject.toml pins django-tasks-db below 0.14,
# and core/tests/test_background.py fails if the constructor or the batch behaviour changes.
def worker_options(*, worker_id: str, interval: float, backend: str = "default") -> dict[str, Any]:
    """The arguments ``db_worker --batch --queue-name=* --no-startup-delay`` gives its Worker."""
    return {"queue_names": ["*"], "interval": interval, "batch": True, "backend_name": backend,
            "startup_delay": False, "max_tasks": None, "worker_id": worker_id, "excluded_queue_names": []}


def run_queued_tasks(*, worker_id: str, interval: float, backend: str = "default") -> None:
    """Run every task queued now, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(**worker_options(worker_id=worker_id, interval=interval, backend=backend)).run()


def _worker_loop(stop: threading.Event, interval: float) -> None:
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS.get("default", {}).get("BACKEND", ""):
        return
    worker_id = f"serve-{threading.get_ident()}"
    while not stop.is_set():
        try:
            run_queued_tasks(worker_id=worker_id, interval=interval)
        except Exception:
            logger.exception("background worker failed")
        stop.wait(interval)
        close_old_connections()


def worker_command(*, interval: float = 2.0) -> list[str]:
    """The command of ``serve``'s worker process: django-tasks-db's own worker, every queue."""
    from django.conf import settings

    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--queue-name", "*",
            "--interval", str(interval), "--no-startup-delay"]


# CPU priority of the worker process (``nice``): background jobs (the first sweep over a province, a 50,000-row
# import) yield the processor to the web requests. In a load test on 2 cores (other work running too) the pages were
# 35 times slower while an un-niced import ran (bench/README.md; the niced import is still to be measured beside
# users). 0 keeps the web's priority.
WORKER_NICE = 10


def _lower_priority() -> None:
    if WORKER_NICE and hasattr(os, "nice"):
        os.nice(WORKER_NICE)


# The most a job pauses after one batch, whatever the batch took (seconds): a long statement is not followed by a
# pause long enough to look like a hang.
MAX_YIELD_SECONDS = 10.0


def users_active() -> int:
    """How many other connections to this database are running a statement now (PostgreSQL; 0 elsewhere): the
    web requests a background job would compete with for the database's cores."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                    "AND datname = current_database() AND backend_type = 'client backend'")
        return int(cur.fetchone()[0])


def yield_to_users(elapsed: float, *, sleep: Callable[[float], None] | None = None,
                   private_locks: bool = False) -> float:
    """After a batch of background work that took ``elapsed`` seconds: while users are active, pause
    ``ANZHI_BACKGROUND_YIELD`` times as long (at most ``MAX_YIELD_SECONDS``), so that the job takes a bounded share
    of the database while people wait on pages, and none of its speed on an idle database. Returns the pause.

    ``nice`` (``WORKER_NICE``) lowers only the worker's Python; its SQL runs in a PostgreSQL backend at the web's
    priority, which this is for. Call it outside any transaction (a pause inside would hold the batch's locks), or
    say ``private_locks`` where the open transaction has only written rows no one else can see yet and locked
    nothing another writer waits for (an import's new rows, before it counts them)."""
    from django.conf import settings
    from django.db import connection

    factor = getattr(settings, "ANZHI_BACKGROUND_YIELD", 0)
    # Not inside a transaction of the caller's (a test case's wrapping transaction, which Django marks
    # ``_from_testcase`` as its own durable check does, holds no lock of the job's).
    in_transaction = any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
    if not factor or elapsed <= 0 or (in_transaction and not private_locks) or not users_active():
        return 0.0
    pause = min(elapsed * factor, MAX_YIELD_SECONDS)
    (sleep or time.sleep)(pause)
    return pause


def start_worker_process(*, interval: float = 2.0) -> subprocess.Popen:
    """Run the task worker as a child process (same environment and settings), not in the web process, at a lower
    CPU priority (``WORKER_NICE``)."""
    return subprocess.Popen(worker_command(interval=interval),
                            preexec_fn=_lower_priority if hasattr(os, "nice") else None)  # noqa: PLW1509


def stop_worker_process(worker: subprocess.Popen, *, timeout: float = 30.0) -> None:
    """Ask the worker to finish its task and stop (SIGTERM is db_worker's graceful stop), then make sure."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.kill()


def start_scheduler(*, tick: float = 60.0) -> threading.Event:
    """Only the scheduler thread: it queues due periodic jobs (a few queries a minute), never runs them."""
    stop = threading.Event()
    threading.Thread(target=_scheduler_loop, args=(stop, tick), name="anzhi-scheduler", daemon=True).start()
    return stop


def start_background(*, tick: float = 60.0, interval: float = 2.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_worker_loop, args=(stop, interval), name="anzhi-worker", daemon=True).start()
    threading.Thread(target=_scheduler_loop, args=(stop, tick), name="anzhi-scheduler", daemon=True).start()
    time.sleep(0)
    return stop
