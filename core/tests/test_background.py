"""``serve``'s worker thread drives django-tasks-db's ``Worker`` the way its ``db_worker`` command does: by the
constructor's keyword arguments and ``run()`` in batch mode, nothing else. This fails if that interface changes
(the package is pinned for it in pyproject.toml)."""

from __future__ import annotations

import inspect

import pytest
from django_tasks import task
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core import background

pytestmark = pytest.mark.django_db


@task()
def double(n: int) -> int:
    return n * 2


def test_worker_takes_exactly_the_arguments_serve_gives_it() -> None:
    signature = inspect.signature(db_worker.Worker)
    options = background.worker_options(worker_id="serve-1", interval=2.0)
    signature.bind(**options)  # no argument unknown or missing
    assert set(signature.parameters) == set(options), "Worker's constructor changed: review core.background"
    assert "batch" in inspect.signature(db_worker.Command.handle).parameters


def test_a_batch_runs_what_is_queued_and_returns(settings, monkeypatch) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker checks for stale connections between tasks; the test's connection is its transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    first, second = double.enqueue(21), double.enqueue(4)
    background.run_queued_tasks(worker_id="test-worker", interval=0)  # returns: nothing is left to run
    done = {r.pk: r for r in DBTaskResult.objects.filter(pk__in=[first.id, second.id])}
    assert {str(pk): (r.status, r.return_value, r.worker_ids) for pk, r in done.items()} == {
        str(first.id): ("SUCCESSFUL", 42, ["test-worker"]), str(second.id): ("SUCCESSFUL", 8, ["test-worker"])}


def test_serve_runs_the_worker_as_a_child_process_never_in_the_web_process(monkeypatch) -> None:
    """Heavy jobs (the escalation sweep, imports) run in ``db_worker``, a child process of ``serve``; the web
    process keeps only the scheduler thread, which queues."""
    import os

    import waitress
    from django.core.management import call_command

    from core import startup

    started: dict[str, object] = {}

    class FakeWorker:
        def __init__(self, argv: list[str], **kwargs: object) -> None:
            started["argv"] = argv
            started["preexec_fn"] = kwargs.get("preexec_fn")

        def poll(self) -> int:
            return 0

    monkeypatch.setattr(background.subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(background, "start_scheduler", lambda **kw: started.setdefault("scheduler", True))
    monkeypatch.setattr(background, "start_background",
                        lambda **kw: pytest.fail("the task worker must not be a thread of the web process"))
    monkeypatch.setattr(startup, "compile_stale_catalogues", lambda: None)
    monkeypatch.setattr(startup, "collect_static_if_needed", lambda write: None)
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: started.setdefault("served", True))
    call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    argv = started["argv"]
    assert argv[2:5] == ["db_worker", "--queue-name", "*"] and argv[1].endswith("manage.py")
    assert started["scheduler"] is True and started["served"] is True
    # At a lower CPU priority than the web process: a sweep or an import yields the processor to the pages.
    assert started["preexec_fn"] is background._lower_priority and background.WORKER_NICE > 0


def test_a_background_batch_yields_only_while_users_are_active(settings, monkeypatch) -> None:
    pauses: list[float] = []
    settings.ANZHI_BACKGROUND_YIELD = 2
    monkeypatch.setattr(background, "users_active", lambda: 0)
    assert background.yield_to_users(0.5, sleep=pauses.append) == 0.0  # an idle database: full speed
    monkeypatch.setattr(background, "users_active", lambda: 3)
    assert background.yield_to_users(0.5, sleep=pauses.append) == 1.0
    assert background.yield_to_users(60, sleep=pauses.append) == background.MAX_YIELD_SECONDS
    assert pauses == [1.0, background.MAX_YIELD_SECONDS]
    settings.ANZHI_BACKGROUND_YIELD = 0
    assert background.yield_to_users(0.5, sleep=pauses.append) == 0.0
    settings.ANZHI_BACKGROUND_YIELD = 2
    from django.db import transaction

    with transaction.atomic():  # never while holding a batch's locks
        assert background.yield_to_users(0.5, sleep=pauses.append) == 0.0
    assert len(pauses) == 2


def test_users_active_sees_another_connection_running_a_statement() -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        assert background.users_active() == 0
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    started = threading.Event()

    def busy() -> None:
        with psycopg.connect(**params, autocommit=True) as other:
            started.set()
            other.execute("SELECT pg_sleep(1.5)")

    thread = threading.Thread(target=busy)
    thread.start()
    started.wait(30)
    import time

    seen = 0
    # The other connection's statement starts a moment after it connects (longer on a loaded box): look until it
    # has ended.
    while thread.is_alive():
        seen = max(seen, background.users_active())
        if seen:
            break
        time.sleep(0.05)
    thread.join()
    assert seen >= 1  # this test's own connection is not counted
