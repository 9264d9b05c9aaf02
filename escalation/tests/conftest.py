from __future__ import annotations

from collections.abc import Iterator

import pytest

from workdays import services


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # Each test's database is rolled back; the per-process year cache must not outlive it.
    services.invalidate()
    yield
    services.invalidate()
