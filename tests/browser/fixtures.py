"""Browser journeys: Playwright drives Debian's chromium against a real server process.

These fixtures are global (root conftest.py: ``pytest_plugins``), so every app's browser test shares
one server and one browser per session: request ``new_page`` by name, never import the fixtures.

The server runs ``manage.py serve`` on a fresh SQLite file prepared with ``manage.py bootstrap
--demo`` — the same path a county takes when it installs the platform (``serve`` collects the static
files itself: there is no collectstatic step) — so these tests use the demo accounts (password
``Anzhi@2026``), not the pytest database. Set ANZHI_REQUIRE_BROWSER=1 (CI does) to turn a missing
chromium into a failure instead of a skip.

Every page the journeys open is watched: a script blocked by the Content-Security-Policy, or an uncaught
script error, fails the test that opened it — so our own scripts keep working under the policy."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Anzhi@2026"
CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu",
               "--no-first-run", "--disable-sync", "--disable-quic"]


def _chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if path and Path(path).exists():
            return path
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_startup_jobs(database: Path, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Wait until the periodic jobs that ``serve`` queues at start (the escalation sweep, reminders) have run.

    Otherwise they race the journeys: a sweep that finishes after a test has acted buries the test's
    own fresh notification under dozens of newer bulletins."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("server stopped while its start-up jobs ran")
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                runs = db.execute("SELECT COUNT(*) FROM core_periodicrun WHERE last_enqueued_at IS NOT NULL").fetchone()[0]
                pending = db.execute("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                                     "WHERE status IN ('READY', 'RUNNING')").fetchone()[0]
        except sqlite3.Error:
            runs, pending = 0, 1
        if runs and not pending:
            return
        time.sleep(0.3)
    raise RuntimeError("the start-up background jobs did not finish in time")


@pytest.fixture(scope="session")
def live_server_url() -> Iterator[str]:
    if _chromium() is None:
        if os.environ.get("ANZHI_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (ANZHI_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("chromium not installed (apt-get install chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="anzhi-browser-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"ANZHI_VAR_DIR": str(workdir), "ANZHI_DEMO": "1", "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1",
                "ANZHI_TESTING": "0"})
    env["ANZHI_CHAIN_ANCHOR_DIR"] = str(workdir / "anchor")  # removed with the workdir, unlike the default beside it
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (["bootstrap", "--demo"],):
        done = subprocess.run([*manage, *step], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(step)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    port = _free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([*manage, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300  # serve collects the static files before it listens
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text()) from None
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("server did not start: " + (workdir / "server.log").read_text())
    _wait_for_startup_jobs(workdir / "anzhi.sqlite3", server)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = _chromium()
    if path is None:
        pytest.skip("chromium not installed")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser: object, live_server_url: str) -> Iterator[Callable[..., object]]:
    """new_page(username=None, phone=False): a fresh browser context, logged in when a username is given."""
    contexts = []
    problems: list[str] = []

    def on_console(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if message.type == "error" and "Content Security Policy" in text:  # type: ignore[attr-defined]
            page = message.page  # type: ignore[attr-defined]
            problems.append(f"{page.url if page else '?'}: {text}")

    def on_error(error: object) -> None:
        page = error.page  # type: ignore[attr-defined]
        problems.append(f"{page.url if page else '?'}: uncaught {error.error}")  # type: ignore[attr-defined]

    def make(username: str | None = None, *, phone: bool = False, password: str = DEMO_PASSWORD) -> object:
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "base_url": live_server_url}
        if phone:
            options.update({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True})
        context = browser.new_context(**options)  # type: ignore[attr-defined]
        context.set_default_timeout(15_000)
        context.on("console", on_console)
        context.on("weberror", on_error)
        contexts.append(context)
        page = context.new_page()
        if username:
            login(page, username, password)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "blocked or failing scripts:\n" + "\n".join(problems)


def login(page: object, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def pick(page: Any, name: str, typed: str, option: str) -> None:
    """Type into the searchable picker (core.pickers) of the select ``name`` and choose the option whose text
    contains ``option``: the way a person uses it, so a journey fails if the picker does."""
    control = page.locator(f"select[name={name}] + .ts-wrapper")
    control.locator(".ts-control").click()
    control.locator("input").fill(typed)
    page.locator(".ts-dropdown .option", has_text=option).first.click()
