from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet


def enterprise_counts(qs: QuerySet) -> dict[str, Any]:
    """Counts for the home page, computed in the database from an already scoped queryset."""
    by_domain = list(
        qs.values("domains__id", "domains__code", "domains__short_name").annotate(n=Count("pk", distinct=True))
        .order_by("domains__sort", "domains__code")
    )
    return {
        "total": qs.count(),
        "by_domain": [row for row in by_domain if row["domains__code"]],
    }
