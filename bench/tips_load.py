"""The public 举报 page under load: N concurrent submitters for T seconds against a local server.

Each submitter is one simulated phone: it opens the page (GET: the CSRF cookie, the server-rendered question and
its signed token), answers, and posts a tip; then again, until the time is up. By default each submitter has its
own client address: it connects from its own loopback address (127.0.1.N; Linux routes all of 127.0.0.0/8 to the
loopback), so the per-address limit (ANZHI_TIPS_SUBMIT_PER_HOUR, 5) lets each phone's first few tips in and refuses
the rest with 429; ``--same-address`` sends them all from 127.0.0.1. (A forwarded-for header cannot stand in for
this: the platform believes it only from a trusted proxy, and the load comes straight from this machine.)

Prints requests, errors (anything but 200/429, or no answer), p50/p95 of the page and of the submission, tips
accepted and submissions the rate limit refused. Local only: the server is started here on 127.0.0.1 unless
``--url`` names one, on SQLite in a temporary folder, or with ``DATABASE_URL=postgres://…/NAME`` on a fresh
PostgreSQL database ``NAME_tips_<pid>`` made, bootstrapped and dropped by the script (``--keep-db`` keeps it), so the
rate-limit counters of an earlier run never count against this one.

    .venv/bin/python bench/tips_load.py --clients 50 --seconds 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi_bench .venv/bin/python bench/tips_load.py --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import functools
import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = re.compile(r'data-testid="tip-question">(\d+) \+ (\d+) = \?')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOWN = re.compile(r'<option value="(\d+)"[^>]*>东山街道</option>')


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres(url: str) -> str:
    """A new, empty database next to the one ``url`` names (``NAME_tips_<pid>``); its URL."""
    import psycopg

    base, name = url.rsplit("/", 1)
    fresh = f"{name.split('?')[0]}_tips_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'drop database if exists "{fresh}"')
        conn.execute(f'create database "{fresh}"')
    return f"{base}/{fresh}"


def drop_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def start_server(threads: int, database_url: str = "") -> tuple[str, subprocess.Popen[bytes], Path]:
    workdir = Path(tempfile.mkdtemp(prefix="anzhi-tips-bench-"))
    env = {**os.environ, "ANZHI_VAR_DIR": str(workdir), "DJANGO_DEBUG": "0", "ANZHI_TESTING": "0",
           "ANZHI_CHAIN_ANCHOR_DIR": str(workdir / "anchor")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    manage = [sys.executable, str(ROOT / "manage.py")]
    done = subprocess.run([*manage, "bootstrap"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bootstrap failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    port = _port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 - the server writes to it until the end
    server = subprocess.Popen([*manage, "serve", "--port", str(port), "--threads", str(threads), "--no-background"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return url, server, workdir
        except OSError:
            if server.poll() is not None:
                raise SystemExit((workdir / "server.log").read_text()) from None
            time.sleep(0.5)
    server.kill()
    raise SystemExit("server did not start")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.page_ms: list[float] = []
        self.post_ms: list[float] = []
        self.accepted = self.refused = self.errors = self.requests = 0
        self.error_kinds: dict[str, int] = {}

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors += 1
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class SourceAddressHandler(urllib.request.HTTPHandler):
    """Connects from a given local address (one simulated phone)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


def submitter(url: str, address: str, until: float, stats: Stats) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(SourceAddressHandler(address), urllib.request.HTTPCookieProcessor(jar))
    headers = {"User-Agent": "tips-bench"}
    n = 0
    while time.monotonic() < until:
        n += 1
        start = time.perf_counter()
        try:
            with opener.open(urllib.request.Request(f"{url}/tips/report/", headers=headers), timeout=30) as r:
                html = r.read().decode()
        except (urllib.error.URLError, OSError) as exc:
            stats.error(f"GET {getattr(exc, 'code', type(exc).__name__)}")
            continue
        finally:
            with stats.lock:
                stats.requests += 1
        with stats.lock:
            stats.page_ms.append((time.perf_counter() - start) * 1000)
        q, token, csrf, town = QUESTION.search(html), TOKEN.search(html), CSRF.search(html), TOWN.search(html)
        if not (q and token and csrf and town):
            stats.error("page without form")
            continue
        body = urllib.parse.urlencode({
            "csrfmiddlewaretoken": csrf[1], "kind": "hazard", "jurisdiction": town[1], "address": "东山街道测试路1号",
            "description": f"压力测试举报内容：{address} 第{n}条，仓库堆放液化气钢瓶。", "answer": int(q[1]) + int(q[2]),
            "token": token[1]}).encode()
        post_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{url}/tips/report/"}
        start = time.perf_counter()
        status = 0
        try:
            with opener.open(urllib.request.Request(f"{url}/tips/report/", data=body, headers=post_headers),
                             timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, ""
        except (urllib.error.URLError, OSError) as exc:
            stats.error(f"POST {type(exc).__name__}")
            continue
        finally:
            with stats.lock:
                stats.requests += 1
        with stats.lock:
            stats.post_ms.append((time.perf_counter() - start) * 1000)
        if status == 200 and 'data-testid="tip-code"' in text:
            with stats.lock:
                stats.accepted += 1
        elif status == 429:
            with stats.lock:
                stats.refused += 1
        else:
            stats.error(f"POST {status}")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--same-address", action="store_true")
    parser.add_argument("--url", help="an already running local server")
    parser.add_argument("--keep-db", action="store_true", help="keep the fresh PostgreSQL database afterwards")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("bounded: 1–200 clients, 1–600 seconds")
    server = workdir = None
    url = args.url
    database = os.environ.get("DATABASE_URL", "")
    fresh = fresh_postgres(database) if url is None and database.startswith("postgres") else ""
    if url is None:
        try:
            url, server, workdir = start_server(args.server_threads, fresh)
        except BaseException:
            if fresh and not args.keep_db:
                drop_postgres(fresh)
            raise
    elif urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("local servers only")
    stats = Stats()
    until = time.monotonic() + args.seconds
    threads = [threading.Thread(target=submitter, args=(
        url, "127.0.0.1" if args.same_address else f"127.0.{1 + i // 250}.{1 + i % 250}", until, stats))
        for i in range(args.clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    try:
        print(f"clients {args.clients}, {elapsed:.0f} s, server threads {args.server_threads}, "
              f"{'one address' if args.same_address else 'one address per client'}, "
              f"database {'PostgreSQL ' + fresh.rsplit('/', 1)[1] if fresh else 'SQLite' if server else 'of --url'}")
        print(f"requests {stats.requests} ({stats.requests / elapsed:.1f}/s), errors {stats.errors} {stats.error_kinds}")
        print(f"page GET  p50 {pct(stats.page_ms, 50):.0f} ms, p95 {pct(stats.page_ms, 95):.0f} ms (n={len(stats.page_ms)})")
        print(f"submit    p50 {pct(stats.post_ms, 50):.0f} ms, p95 {pct(stats.post_ms, 95):.0f} ms (n={len(stats.post_ms)})")
        print(f"tips accepted {stats.accepted}, refused by the rate limit {stats.refused}")
        if stats.page_ms:
            print(f"mean page {statistics.mean(stats.page_ms):.0f} ms")
        if fresh:
            import psycopg

            with psycopg.connect(fresh) as conn:
                stored = conn.execute("select count(*) from tips_tip").fetchone()[0]
            print(f"tips stored in the database {stored} ({'=' if stored == stats.accepted else '≠'} accepted)")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        if fresh and not args.keep_db:
            drop_postgres(fresh)


if __name__ == "__main__":
    main()
