"""Each SQL statement of one request, with its time: what a page spends its database time on.

Usage (any database holding the persona world, e.g. the one bench/generate.py made):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prov .venv/bin/python -u bench/statements.py \\
        --personas office,regulator --urls /,/escalation/ [--width 160]

Per persona and address: one request to warm up, then one request whose statements are listed in order (time in
ms, the statement shortened to ``--width`` characters), then the statements grouped by their text with the numbers
taken out (a statement repeated with other values shows as one line with its count), the total time in the database
and the whole request's time. Requests go through Django's test client (middleware, session, template).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")

NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def shape(sql: str) -> str:
    """The statement with its literal values taken out: repeats of one statement look alike."""
    return NUMBERS.sub("?", " ".join(sql.split()))


def profile(client: Any, url: str) -> tuple[list[tuple[float, str]], float, int]:
    from django.db import connection

    seen: list[tuple[float, str]] = []

    def timed(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - start) * 1000, sql))

    with connection.execute_wrapper(timed):
        start = time.perf_counter()
        answer = client.get(url)
        whole = (time.perf_counter() - start) * 1000
    return seen, whole, answer.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--personas", default="office,township_a,regulator,regulator_fire,enterprise_a")
    parser.add_argument("--urls", default="/,/escalation/")
    parser.add_argument("--width", type=int, default=160)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from core.startup import collect_static_if_needed

    collect_static_if_needed(lambda line: None)
    for key in args.personas.split(","):
        client = Client()
        client.force_login(User.objects.get(username=key))
        for url in args.urls.split(","):
            if client.get(url).status_code != 200:
                print(f"\n== {key} {url}: not this persona's page")
                continue
            seen, whole, status = profile(client, url)
            in_db = sum(ms for ms, _ in seen)
            print(f"\n== {key} {url}  status {status}  request {whole:.1f} ms  SQL {len(seen)} statements "
                  f"{in_db:.1f} ms")
            for i, (ms, sql) in enumerate(seen, 1):
                print(f"{i:>3} {ms:8.2f}  {' '.join(sql.split())[:args.width]}")
            repeated = Counter(shape(sql) for _, sql in seen)
            for text, n in repeated.items():
                if n > 1:
                    print(f"    repeated {n}×: {text[:args.width]}")


if __name__ == "__main__":
    main()
