"""Hazard transitions through the API alone (the transition of ``goals.py``: 申请验收 ⇄ 退回整改), with whether the
change log is partitioned, to compare layouts on one database (bench/README.md, "The change log partitioned").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prov .venv/bin/python bench/transitions.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30, help="round trips (two moves each)")
    args = parser.parse_args()
    import django

    django.setup()
    from bench.goals import transition_times
    from core.partitions import is_partitioned

    times = sorted(transition_times(args.repeat))
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"change log partitioned: {is_partitioned()}   moves {len(times)}   p50 {statistics.median(times):.1f} ms   "
          f"p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
