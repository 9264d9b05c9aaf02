"""Screenshots of each demo role's home page on a desk (1366 px) and on a phone (390 px), for the README and reviews.

    .venv/bin/python scripts/screenshots.py                      # starts its own demo server (a minute or two)
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000 --out var/screenshots
    .venv/bin/python scripts/screenshots.py --roles anweiban qiye --pages / /hazards/

Files are named ``<role>-<page>-<width>.png`` (``anweiban-home-1366.png``) and listed in ``index.md`` beside them.
Without ``--url`` the script prepares a fresh demo database in a temporary folder (``manage.py bootstrap --demo``)
and runs ``manage.py serve`` on a free port, as the browser tests do; with ``--url`` it uses a running server
that has the demo accounts (password ``Anzhi@2026``). Needs the test extras (Playwright) and Debian's chromium
(``apt-get install chromium``; or set CHROMIUM_PATH)."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Anzhi@2026"
ROLES = ["anweiban", "yingji", "xiaofang", "zhujian", "dongshan", "shanzao", "jingkaiqu", "qiye", "qiye2", "zhifa",
         "zhuanjia"]
SIZES = {1366: {"viewport": {"width": 1366, "height": 900}},
         390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2}}
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu",
               "--no-first-run", "--disable-sync", "--disable-quic"]


def chromium() -> str:
    for path in (os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if path and Path(path).exists():
            return path
    found = shutil.which("chromium")
    if not found:
        sys.exit("chromium not found: apt-get install chromium (or set CHROMIUM_PATH)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except OSError:
            if server.poll() is not None:
                sys.exit("the server stopped:\n" + log.read_text()[-3000:])
            time.sleep(0.5)
    server.kill()
    sys.exit("the server did not start:\n" + log.read_text()[-3000:])


@contextmanager
def demo_server() -> Iterator[str]:
    """A fresh demo database and ``manage.py serve`` on it, removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="anzhi-screenshots-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"ANZHI_VAR_DIR": str(workdir), "ANZHI_DEMO": "1", "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1",
                "ANZHI_TESTING": "0", "ANZHI_CHAIN_ANCHOR_DIR": str(workdir / "anchor")})
    manage = [sys.executable, str(ROOT / "manage.py")]
    print("preparing the demo database …", flush=True)
    done = subprocess.run([*manage, "bootstrap", "--demo"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py bootstrap --demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    port = free_port()
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([*manage, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(url, server, log_path)
            time.sleep(3)  # the start-up jobs (escalation sweep, reminders) fill the inboxes first
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def page_name(path: str) -> str:
    name = path.strip("/").replace("/", "-")
    return name or "home"


def shoot(url: str, out: Path, roles: list[str], pages: list[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=LAUNCH_ARGS)
        for role in roles:
            for width, options in SIZES.items():
                context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=url, **options)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("input[name=username]", role)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                if "/accounts/login/" in page.url:
                    print(f"{role}: could not sign in (not a demo server?)", file=sys.stderr)
                    context.close()
                    break
                for path in pages:
                    page.goto(path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{role}-{page_name(path)}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                    print(target, flush=True)
                context.close()
        browser.close()
    lines = ["# Screenshots", "", f"Made by `scripts/screenshots.py` on {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    lines += [f"![{p.stem}]({p.name})" for p in written]
    (out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server with the demo accounts (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "var" / "screenshots"), help="folder for the .png files")
    parser.add_argument("--roles", nargs="+", default=ROLES, help="demo logins (default: every demo role)")
    parser.add_argument("--pages", nargs="+", default=["/"], help="paths to shoot (default: the home page)")
    args = parser.parse_args()
    out = Path(args.out)
    if args.url:
        shoot(args.url.rstrip("/"), out, args.roles, args.pages)
    else:
        with demo_server() as url:
            shoot(url, out, args.roles, args.pages)


if __name__ == "__main__":
    main()
