"""Background work of the enterprise registry (large imports run through core.imports)."""

from __future__ import annotations

from django_tasks import task


@task()
def fill_search_text(ids: list[int]) -> int:
    from enterprises.services import refresh_search_text

    return refresh_search_text(ids=ids)
