"""Overdue and due-soon counts per deadline source without a scan of the viewer's scope (the home cards, the
督办台).

A source that declares ``counts`` (``escalation.registry.CountKeys``) is counted in two parts that never overlap:

* the territorial and domain arms of its scope: summed from count rows keyed by (territory path, domain, deadline
  day) — the source's own rows kept in the transaction of every write (hazards: ``HazardDue``), or the standing
  ``DueCount`` rows that ``refresh`` writes in the worker (``escalation.count_due``);
* the other arms (an enterprise account's own enterprise, the units a user acts for, explicit grants) from the items
  directly, excluding what the first part already counted — a few rows, read through the indexes.

Both parts use the model's own ``scope_q``, so the rule is the one ``visible_to`` applies. A viewer whose domain arm
cannot be read from the keys (a department, for a source of enterprise rows), a source without ``counts`` and a
source not yet counted by the worker are counted directly (``direct``), which is also the reference the tests
compare against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Count, DateField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from core.scoping import Scope, scope_for
from escalation.models import DueCount, DueCountRun
from escalation.registry import SOURCES, DeadlineSource

# Deadline days before the refresh are stored on this one day (earlier than any real deadline), as hazards do.
PAST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Counted:
    overdue: int
    due_soon: int
    counted_at: dt.datetime | None = None  # None: counted now (directly, or from rows kept with every write)


def open_visible(user: Any, source: DeadlineSource) -> QuerySet:
    """The source's open items the user may see, as one filtered queryset of the model where the source's open
    items are a queryset of that model (the planner then uses the indexes of both conditions); otherwise the scope
    filtered by a subquery of the open items."""
    items = source.open_items()
    if items.model is source.model and hasattr(items, "visible_to"):
        return items.visible_to(user)
    return source.model.objects.visible_to(user).filter(pk__in=items.values("pk"))


def _windows(source: DeadlineSource, today: dt.date, horizon: dt.date) -> tuple[Q, Q]:
    due = source.due_lookup
    return Q(**{f"{due}__lt": today}), Q(**{f"{due}__gte": today, f"{due}__lte": horizon})


def _count_items(qs: QuerySet, source: DeadlineSource, today: dt.date, horizon: dt.date) -> tuple[int, int]:
    over, soon = _windows(source, today, horizon)
    row = qs.order_by().aggregate(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon))
    return row["overdue"] or 0, row["due_soon"] or 0


def direct(user: Any, source: DeadlineSource, today: dt.date, horizon: dt.date) -> Counted:
    """Counted from the items in the viewer's scope (one aggregate query)."""
    return Counted(*_count_items(open_visible(user, source), source, today, horizon))


def _keyed(scope: Scope, keys: Any) -> Q:
    """The count rows of the scope's territorial and domain arms (the same rule as the model's ``scope_q``)."""
    q = scope.territorial_q("jurisdiction_path")
    if keys.domain_arm and keys.domain is not None:
        q |= scope.domain_q("jurisdiction_path", domain_field="domain_id")
    return q


def _covered(scope: Scope, keys: Any) -> Q:
    """The same arms over the items (what the count rows already hold)."""
    q = scope.territorial_q(keys.path)
    if keys.domain_arm and keys.domain is not None:
        q |= scope.domain_q(keys.path, domain_field=keys.domain)
    return q


def _runs() -> dict[str, dt.datetime]:
    return dict(DueCountRun.objects.values_list("source_key", "counted_at"))


def _sums(today: dt.date, soon: Q) -> dict[str, Any]:
    return dict(overdue=Sum("n", filter=Q(deadline__lt=today)), due_soon=Sum("n", filter=Q(deadline__gte=today) & soon))


def maintained(user: Any, horizons: dict[str, dt.date], today: dt.date) -> dict[str, Counted]:
    """Per source key in ``horizons`` (its due-soon horizon): the counts of what ``user`` sees, from the count rows
    where the viewer's scope can be read on their keys, else directly. The standing sources are summed in one
    grouped query per kind of key (a domain column or not), whatever their number."""
    scope = scope_for(user)
    if scope.is_empty:
        return {key: Counted(0, 0) for key in horizons}
    runs = _runs()
    rest = replace(scope, territories=(), domain_grants=())
    keyed = bool(scope.territories or scope.domain_grants)
    out: dict[str, Counted] = {}
    standing: dict[bool, list[str]] = {}  # by whether the domain arm is keyed: the standing sources to sum
    counted: list[DeadlineSource] = []  # sources whose keyed part is summed: their other arms are counted below
    for key, horizon in horizons.items():
        source = SOURCES[key]
        keys = source.counts
        if keys is None or (scope.domain_grants and keys.domain_arm and keys.domain is None):
            # No keys, or a department's domains of an enterprise row (the enterprise's links, not a key).
            out[key] = direct(user, source, today, horizon)
            continue
        if keys.rows is None and key not in runs:  # never counted by the worker (a new install, tests): count now
            out[key] = direct(user, source, today, horizon)
            continue
        counted.append(source)
        out[key] = Counted(0, 0, runs.get(key) if keys.rows is None else None)
        if not keyed:
            continue
        if keys.rows is not None:
            row = keys.rows().filter(_keyed(scope, keys)).order_by().aggregate(
                **_sums(today, Q(deadline__lte=horizon)))
            out[key] = Counted(row["overdue"] or 0, row["due_soon"] or 0)
        elif scope.territories or keys.domain_arm:
            standing.setdefault(keys.domain_arm and keys.domain is not None, []).append(key)
    for with_domain, keys_ in standing.items():
        cut = scope.territorial_q("jurisdiction_path")
        if with_domain:
            cut |= scope.domain_q("jurisdiction_path", domain_field="domain_id")
        by_horizon: dict[dt.date, list[str]] = {}
        for key in keys_:
            by_horizon.setdefault(horizons[key], []).append(key)
        soon = Q(pk__in=[])
        for horizon, some in by_horizon.items():
            soon |= Q(source_key__in=some, deadline__lte=horizon)
        rows = (DueCount.objects.filter(cut, source_key__in=keys_).order_by().values("source_key")
                .annotate(**_sums(today, soon)))
        for row in rows:
            key = row["source_key"]
            out[key] = Counted(row["overdue"] or 0, row["due_soon"] or 0, out[key].counted_at)
    if not rest.is_empty:
        for source in counted:
            keys = source.counts
            extra = source.open_items().filter(source.model.scope_q(rest)).exclude(_covered(scope, keys))
            more = _count_items(extra, source, today, horizons[source.key])
            c = out[source.key]
            out[source.key] = Counted(c.overdue + more[0], c.due_soon + more[1], c.counted_at)
    return out


# -- the standing counts ------------------------------------------------------------------------------------------
def standing_sources() -> list[DeadlineSource]:
    """The sources counted by ``refresh`` (those with ``counts`` but no rows of their own)."""
    return [s for s in SOURCES.values() if s.counts is not None and s.counts.rows is None]


def grouped(source: DeadlineSource, today: dt.date) -> QuerySet:
    """The source's open items grouped by (path, domain, deadline day), days before ``today`` on ``PAST``:
    columns ``p``, ``d``, ``day``, ``n``."""
    keys = source.counts
    assert keys is not None
    # A typed NULL: PostgreSQL reads an untyped one in a subquery as text.
    domain = (F(keys.domain) if keys.domain_arm and keys.domain
              else Cast(Value(None), output_field=BigIntegerField()))
    day = Case(When(_due__lt=today, then=Value(PAST)), default=F("_due"), output_field=DateField())
    return (source.dated_items().order_by().annotate(p=F(keys.path), d=domain, day=day)
            .values("p", "d", "day").annotate(n=Count("pk")))


def refresh_source(source: DeadlineSource, today: dt.date | None = None) -> int:
    """Recount one source's ``DueCount`` rows in one transaction (readers see the old rows or the new ones).
    Returns the rows written."""
    today = today or timezone.localdate()
    qn = connection.ops.quote_name
    table = qn(DueCount._meta.db_table)
    sql, params = grouped(source, today).query.sql_with_params()
    cols = ", ".join(qn(c) for c in ("source_key", "jurisdiction_path", "domain_id", "deadline", "n"))
    with transaction.atomic():
        DueCount.objects.filter(source_key=source.key).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT %s, g.{qn('p')}, g.{qn('d')}, g.{qn('day')}, "
                           f"g.{qn('n')} FROM ({sql}) g", [source.key, *params])
            written = cursor.rowcount
        DueCountRun.objects.update_or_create(source_key=source.key, defaults={"counted_at": timezone.now()})
    return written


def refresh(today: dt.date | None = None) -> dict[str, int]:
    """Recount every standing source (the periodic ``escalation.count_due``). Returns rows written per source."""
    return {s.key: refresh_source(s, today) for s in standing_sources()}


def snapshot(source: DeadlineSource) -> dict[tuple[Any, ...], int]:
    """A source's count rows as {(path, domain, day): n} (tests)."""
    return {(p, d, day): n for p, d, day, n in DueCount.objects.filter(source_key=source.key).values_list(
        "jurisdiction_path", "domain_id", "deadline", "n") if n}
