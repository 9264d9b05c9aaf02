from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from core.scoping import scope_for


def enterprise_counts(qs: QuerySet) -> dict[str, Any]:
    """Counts computed in the database from an already scoped queryset (the reference the maintained counts of
    ``enterprise_counts_for`` equal; a COUNT DISTINCT over the domain links, for small sets)."""
    by_domain = list(
        qs.values("domains__id", "domains__code", "domains__short_name").annotate(n=Count("pk", distinct=True))
        .order_by("domains__sort", "domains__code")
    )
    return {
        "total": qs.count(),
        "by_domain": [row for row in by_domain if row["domains__code"]],
    }


def total_for(user: Any) -> int | None:
    """How many enterprises ``user`` may see: ``Enterprise.objects.visible_to(user).count()`` from the maintained
    counts (the unfiltered list's total, see ``core.listing.ScopedListView.scope_total``); None for a scope that may
    hold explicit grants (see ``hazards.selectors.total_for``)."""
    from enterprises.tally import counts_for

    scope = scope_for(user)
    if scope.grantee_id is not None:
        return None
    return sum(counts_for(scope, "credit_class").values())


def enterprise_counts_for(user: Any) -> dict[str, Any]:
    """The home page's counts of every enterprise ``user`` may see, from the maintained counts
    (``enterprises.tally``): equal to ``enterprise_counts(Enterprise.objects.visible_to(user))`` without reading
    a row an enterprise. Territory and (territory × domains) arms are summed from ``EnterpriseTally``; enterprise
    accounts and explicit grants add their few enterprises counted directly."""
    from enterprises.models import key_domains
    from enterprises.tally import counts_for
    from orgs.models import Domain

    per_key = counts_for(scope_for(user), "domain_key")
    per_domain: dict[int, int] = {}
    for key, n in per_key.items():
        for d in key_domains(key):
            per_domain[d] = per_domain.get(d, 0) + n
    domains = Domain.objects.filter(pk__in=[d for d, n in per_domain.items() if n]).order_by("sort", "code")
    return {
        "total": sum(per_key.values()),
        "by_domain": [{"domains__id": d.pk, "domains__code": d.code, "domains__short_name": d.short_name,
                       "n": per_domain[d.pk]} for d in domains],
    }
