"""The task backend is a setting: the database (default, no other service) or RQ on Redis for deployments with
several web processes and workers. This runs real tasks through a real Redis (the one CI machines run), in an RQ
worker, the way ``manage.py rqworker default`` would."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django_tasks import task

pytestmark = pytest.mark.django_db


def _redis_answers() -> bool:
    url = urlsplit(django_settings.ANZHI_REDIS_URL)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def rq_backend(settings):
    if not _redis_answers():
        if os.environ.get("ANZHI_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required (ANZHI_REQUIRE_REDIS=1) but {settings.ANZHI_REDIS_URL} does not answer")
        pytest.skip("Redis is not running")
    import django_rq

    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["rq"]}}
    queue = django_rq.get_queue("default")
    assert queue.connection.connection_pool.connection_kwargs["db"] == 15, "tests use their own Redis database"
    queue.empty()
    yield queue
    queue.empty()


@task()
def count_periodic_runs(offset: int) -> int:
    from core.models import PeriodicRun

    return PeriodicRun.objects.count() + offset


def _run_worker(queue) -> None:
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    # SimpleWorker runs each job in this process (no fork), so the job sees the test's database transaction.
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_tasks_queued_in_redis_run_in_an_rq_worker(rq_backend) -> None:
    from core.models import PeriodicRun
    from core.tasks import prune_import_previews

    PeriodicRun.objects.create(name="probe")
    queued = [count_periodic_runs.enqueue(10), prune_import_previews.enqueue()]
    assert rq_backend.count == 2, "queued in Redis, not run at once"
    assert {r.status.name for r in queued} == {"READY"}
    _run_worker(rq_backend)
    done = [r.task.get_backend().get_result(r.id) for r in queued]
    assert [(r.status.name, r.return_value) for r in done] == [("SUCCESSFUL", 11), ("SUCCESSFUL", 0)]
    assert rq_backend.count == 0


def test_the_scheduler_queues_due_periodic_jobs_in_redis(rq_backend) -> None:
    from core.background import PERIODIC, enqueue_due_jobs

    names = enqueue_due_jobs()
    assert sorted(names) == sorted(PERIODIC) and rq_backend.count == len(PERIODIC)
    assert enqueue_due_jobs() == [], "not queued twice within their interval"


def test_an_unknown_task_backend_is_refused_at_start_up() -> None:
    import subprocess
    import sys

    env = {**os.environ, "ANZHI_TASK_BACKEND": "celery", "ANZHI_TESTING": "1"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "anzhi.settings"}, cwd=django_settings.BASE_DIR)
    assert done.returncode != 0 and "ANZHI_TASK_BACKEND must be one of db, rq" in done.stderr
