"""The sweep is a worker job: queued by the periodic scheduler, never called from a page or the API."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from core.background import PERIODIC
from escalation.tasks import run_sweep


def test_the_sweep_is_a_periodic_task() -> None:
    job = PERIODIC["escalation.sweep"]
    assert job.task is run_sweep and job.every.total_seconds() == 3600
    assert hasattr(job.task, "enqueue")


def test_no_view_or_api_runs_the_sweep() -> None:
    root = Path(settings.BASE_DIR)
    web = [p for p in root.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts
           and (p.name in {"views.py", "api.py", "urls.py", "middleware.py", "context_processors.py", "cards.py"}
                or "views" in p.parts)]
    assert len(web) > 20
    calls = re.compile(r"\bsweep\(|run_sweep\b|services\.sweep\b")
    offenders = [str(p.relative_to(root)) for p in web if calls.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
