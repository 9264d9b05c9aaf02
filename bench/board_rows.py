"""The 督办台's record reads alone, per persona: its first page of pending decisions and the latest records (best of
three, in milliseconds, a fresh user object each time as a request has), the pending decisions counted as the board
counts them (to ``BoardView.count_cap``), and with ``--count`` counted in full.

Usage (PostgreSQL, on the data of bench/generate.py after a sweep: ``manage.py load_escalation_defaults`` and
``manage.py run_sweep``):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prov .venv/bin/python bench/board_rows.py [--count]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

PERSONAS = ["office", "township_a", "regulator", "regulator_fire", "inspector"]


def best(fn: Callable[[], Any], n: int = 3) -> tuple[float, Any]:
    fastest, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest * 1000, result


def main() -> None:
    import django

    django.setup()
    from accounts.models import User
    from core.paging import CappedPaginator
    from escalation import selectors
    from escalation.models import EscalationRecord
    from escalation.views.board import BoardView

    print(f"escalation records {EscalationRecord.objects.count():,}")
    for key in PERSONAS:
        user = User.objects.filter(username=key).first()
        if user is None:
            print(f"{key}: no such user")
            continue

        def fresh(pk: int = user.pk) -> Any:
            return User.objects.get(pk=pk)

        page, _ = best(lambda: list(selectors.pending_decisions(fresh())[:20].values_list("pk", flat=True)))
        recent, _ = best(lambda: list(selectors.record_history(fresh())[:10].values_list("pk", flat=True)))
        capped, shown = best(lambda: CappedPaginator(selectors.pending_decisions(fresh()), 20,
                                                     cap=BoardView.count_cap).count)
        line = (f"{key:15} page {page:8.1f} ms   history {recent:8.1f} ms   the board's count "
                f"{capped:6.1f} ms ({shown:,})")
        if "--count" in sys.argv:
            took, n = best(lambda: selectors.pending_decisions(fresh()).count(), 1)
            line += f"   count {n:,} in {took:.0f} ms"
        print(line, flush=True)


if __name__ == "__main__":
    main()
