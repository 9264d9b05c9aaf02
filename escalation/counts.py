"""Overdue and due-soon counts per deadline source without a scan of the viewer's scope (the home cards, the
督办台).

A source that declares ``counts`` (``escalation.registry.CountKeys``) is counted in two parts that never overlap:

* the territorial and domain arms of its scope: summed from count rows keyed by (territory path, domain, deadline
  day) — the source's own rows kept in the transaction of every write (hazards: ``HazardDue``), or the standing
  ``DueCount`` rows that ``refresh`` writes in the worker (``escalation.count_due``);
* the other arms (an enterprise account's own enterprise, the units a user acts for, explicit grants) from the items
  directly, excluding what the first part already counted — a few rows, read through the indexes.

Both parts use the model's own ``scope_q``, so the rule is the one ``visible_to`` applies. A department's domain arm
of a source of enterprise rows (the enterprise's domain links, not a key) is read from standing rows the worker
counts per department domain set (``DueCount.grant``). A source without ``counts``, a source not yet counted by the
worker and a domain set it has not counted yet are counted directly (``direct``, also the reference the tests
compare against). Whatever the number of sources, the summary is one ``UNION ALL`` statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from core.memo import Memo
from core.scoping import DomainGrant, Scope, scope_for
from escalation.models import DueCount, DueCountRun
from escalation.registry import SOURCES, CountKeys, DeadlineSource

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


def grant_key(domain_ids: Any) -> str:
    """The text a department's domain set is stored under (``DueCount.grant``): its ids, sorted, comma-separated."""
    return ",".join(str(i) for i in sorted(set(domain_ids)))


def _linked(keys: CountKeys) -> bool:
    """Whether the source's domain arm reads the enterprise's domain links (not a column of the item): counted per
    department domain set in ``DueCount.grant`` rows."""
    return keys.domain_arm and keys.domain is None


def _domain_arm(source: DeadlineSource, domain_grants: tuple[DomainGrant, ...]) -> Q:
    """The domain arm of the model's own ``scope_q`` alone (no territory, enterprise, unit or grant arm)."""
    return source.model.scope_q(Scope(domain_grants=domain_grants))


def _grants_counted(scope: Scope, keys: CountKeys, run: Run | None) -> bool:
    """Whether the count rows hold the viewer's domain arm of a source of enterprise rows: every domain set of the
    scope counted in the last run, under paths that do not nest (each item is then summed under one grant)."""
    if run is None or keys.rows is not None:
        return False
    paths = [g.path for g in scope.domain_grants]
    if any(a != b and b.startswith(a) for a in paths for b in paths) or len(set(paths)) < len(paths):
        return False
    return all(grant_key(g.domain_ids) in run.grants for g in scope.domain_grants)


def _keyed(scope: Scope, keys: CountKeys) -> Q:
    """The count rows of the scope's territorial and domain arms (the same rule as the model's ``scope_q``)."""
    q = scope.territorial_q("jurisdiction_path")
    if keys.rows is None:
        q &= Q(grant="")
    if keys.domain_arm and keys.domain is not None:
        q |= scope.domain_q("jurisdiction_path", domain_field="domain_id")
    elif _linked(keys):
        # A department's domain arm: its domain set's rows under its path, less what the territorial arm summed.
        for g in scope.domain_grants:
            q |= (Q(grant=grant_key(g.domain_ids), jurisdiction_path__startswith=g.path)
                  & ~scope.territorial_q("jurisdiction_path"))
    return q


def _covered(scope: Scope, source: DeadlineSource) -> Q:
    """The same arms over the items (what the count rows already hold)."""
    keys = source.counts
    assert keys is not None
    q = scope.territorial_q(keys.path)
    if keys.domain_arm and keys.domain is not None:
        q |= scope.domain_q(keys.path, domain_field=keys.domain)
    elif _linked(keys) and scope.domain_grants:
        q |= _domain_arm(source, scope.domain_grants)
    return q


@dataclass(frozen=True)
class Run:
    counted_at: dt.datetime
    grants: frozenset[str]


def _runs() -> dict[str, Run]:
    return {key: Run(at, frozenset(grants or ())) for key, at, grants in
            DueCountRun.objects.values_list("source_key", "counted_at", "grants")}


def _sums(today: dt.date, soon: Q) -> dict[str, Any]:
    return dict(overdue=Sum("n", filter=Q(deadline__lt=today)), due_soon=Sum("n", filter=Q(deadline__gte=today) & soon))


def _counts(source: DeadlineSource, today: dt.date, horizon: dt.date) -> dict[str, Any]:
    over, soon = _windows(source, today, horizon)
    return dict(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon))


def _part(qs: QuerySet, key: str, aggregates: dict[str, Any]) -> QuerySet:
    """One source's figures as one row (key, overdue, due soon), a part of the summary's one statement."""
    return qs.order_by().annotate(_key=Value(key)).values("_key").annotate(**aggregates)


def _how(scope: Scope, source: DeadlineSource, runs: dict[str, Run]) -> str:
    """How a source is counted for this scope: from the rows kept with every write ("rows"), from the worker's
    standing rows ("standing"), or from the items ("direct")."""
    keys = source.counts
    if keys is None:
        return "direct"
    if keys.rows is None and source.key not in runs:  # never counted by the worker (a new install, tests)
        return "direct"
    if scope.domain_grants and _linked(keys) and not _grants_counted(scope, keys, runs.get(source.key)):
        return "direct"  # a department's domains of an enterprise row, not (yet) counted for its domain set
    return "rows" if keys.rows is not None else "standing"


# The summary's statement per viewer, compiled: building ~20 scoped querysets costs 30–70 ms of Python per request,
# the statement itself ~10 ms. Keyed by everything the text depends on (the viewer, their scope, the day, the
# horizons, which sources were counted and for which domain sets); the rows are always read live. Kept a minute
# (a role change that leaves the scope as it was shows within it); never for a holder of explicit grants, whose
# statement carries the time the grants are checked against.
_COMPILED: Memo[tuple[str, tuple[Any, ...], tuple[str, ...]]] = Memo(maxsize=2_000, seconds=60.0)


def maintained(user: Any, horizons: dict[str, dt.date], today: dt.date) -> dict[str, Counted]:
    """Per source key in ``horizons`` (its due-soon horizon): the counts of what ``user`` sees, from the count rows
    where the viewer's scope can be read on their keys, else directly. Two statements whatever the number of
    sources: when each standing source was counted, then one ``UNION ALL`` of the parts — the standing rows of every
    standing source (one grouped part), the kept rows of a source that keeps its own (hazards), the other arms of
    the scope (an enterprise account, units, grants) of each counted source, and each source counted directly."""
    scope = scope_for(user)
    if scope.is_empty:
        return {key: Counted(0, 0) for key in horizons}
    runs = _runs()
    key = (getattr(user, "pk", None), getattr(user, "unit_id", None), getattr(user, "has_business_role", None), scope,
           today, tuple(horizons.items()), frozenset((k, r.grants) for k, r in runs.items()))
    if scope.grantee_id is None:
        sql, params, standing = _COMPILED.get(key, lambda: _compile(user, scope, runs, horizons, today))
    else:
        sql, params, standing = _compile(user, scope, runs, horizons, today)
    found: dict[str, list[int]] = {k: [0, 0] for k in horizons}
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for k, overdue, due_soon in cursor.fetchall():
                found[k][0] += overdue or 0
                found[k][1] += due_soon or 0
    return {k: Counted(o, s, runs[k].counted_at if k in standing else None) for k, (o, s) in found.items()}


def _compile(user: Any, scope: Scope, runs: dict[str, Run], horizons: dict[str, dt.date],
             today: dt.date) -> tuple[str, tuple[Any, ...], tuple[str, ...]]:
    """The summary's one statement (``""`` when no part can match anything) and the standing sources in it."""
    rest = replace(scope, territories=(), domain_grants=())
    keyed = bool(scope.territories or scope.domain_grants)
    standing: list[str] = []
    parts: list[QuerySet] = []
    standing_cut, standing_soon = Q(pk__in=[]), Q(pk__in=[])
    for key, horizon in horizons.items():
        source = SOURCES[key]
        how = _how(scope, source, runs)
        if how == "direct":
            parts.append(_part(open_visible(user, source), key, _counts(source, today, horizon)))
            continue
        keys = source.counts
        assert keys is not None
        if how == "standing":
            standing.append(key)
        if keyed and how == "rows":
            parts.append(_part(keys.rows().filter(_keyed(scope, keys)), key,
                               _sums(today, Q(deadline__lte=horizon))))
        elif keyed and (scope.territories or keys.domain_arm):
            standing_cut |= Q(source_key=key) & _keyed(scope, keys)
            standing_soon |= Q(source_key=key, deadline__lte=horizon)
        if not rest.is_empty:
            extra = source.open_items().filter(source.model.scope_q(rest)).exclude(_covered(scope, source))
            parts.append(_part(extra, key, _counts(source, today, horizon)))
    parts.append(DueCount.objects.filter(standing_cut).order_by().values("source_key")
                 .annotate(**_sums(today, standing_soon)))
    # UNION ALL of the parts, read as tuples (the parts' column names differ); a part that cannot match anything is
    # left out by the compiler.
    combined = parts[0].union(*parts[1:], all=True)
    try:
        sql, params = combined.query.sql_with_params()
    except EmptyResultSet:
        return "", (), tuple(standing)
    return sql, tuple(params), tuple(standing)


# -- the standing counts ------------------------------------------------------------------------------------------
def standing_sources() -> list[DeadlineSource]:
    """The sources counted by ``refresh`` (those with ``counts`` but no rows of their own)."""
    return [s for s in SOURCES.values() if s.counts is not None and s.counts.rows is None]


def grouped(source: DeadlineSource, today: dt.date, domain_ids: tuple[int, ...] | None = None) -> QuerySet:
    """The source's open items grouped by (path, domain, deadline day), days before ``today`` on ``PAST``:
    columns ``p``, ``d``, ``day``, ``gk``, ``n``. With ``domain_ids``, only the items the domain arm of a department
    with these domains reaches anywhere (``gk``: its ``grant_key``; the path is cut when read)."""
    keys = source.counts
    assert keys is not None
    # A typed NULL: PostgreSQL reads an untyped one in a subquery as text.
    domain = (F(keys.domain) if keys.domain_arm and keys.domain
              else Cast(Value(None), output_field=BigIntegerField()))
    day = Case(When(_due__lt=today, then=Value(PAST)), default=F("_due"), output_field=DateField())
    items = source.dated_items().order_by()
    if domain_ids is not None:
        items = items.filter(_domain_arm(source, (DomainGrant("", domain_ids),)))
    key = grant_key(domain_ids) if domain_ids is not None else ""
    return (items.annotate(p=F(keys.path), d=domain, day=day, gk=Value(key, output_field=CharField()))
            .values("p", "d", "day", "gk").annotate(n=Count("pk")))


def department_domain_sets() -> list[tuple[int, ...]]:
    """The domain sets of the active departments: what a regulator's or inspector's domain arm reads
    (``User.get_scope``: its department unit's domains)."""
    from orgs.choices import UnitKind
    from orgs.models import Unit

    sets: dict[int, set[int]] = {}
    for unit_id, domain_id in Unit.domains.through.objects.filter(
            unit__kind=UnitKind.DEPARTMENT, unit__active=True).values_list("unit_id", "domain_id"):
        sets.setdefault(unit_id, set()).add(domain_id)
    return sorted({tuple(sorted(ids)) for ids in sets.values()})


def refresh_source(source: DeadlineSource, today: dt.date | None = None,
                   domain_sets: list[tuple[int, ...]] | None = None) -> int:
    """Recount one source's ``DueCount`` rows in one transaction (readers see the old rows or the new ones): its
    territorial and domain-column arms, and for a source of enterprise rows the domain arm of each department
    domain set (``department_domain_sets``, read when not given). Returns the rows written."""
    today = today or timezone.localdate()
    keys = source.counts
    assert keys is not None
    if domain_sets is None:
        domain_sets = department_domain_sets() if _linked(keys) else []
    sets = domain_sets if _linked(keys) else []
    qn = connection.ops.quote_name
    table = qn(DueCount._meta.db_table)
    parts = [grouped(source, today), *(grouped(source, today, ids) for ids in sets)]
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    cols = ", ".join(qn(c) for c in ("source_key", "jurisdiction_path", "domain_id", "deadline", "grant", "n"))
    picked = ", ".join(f"g.{qn(c)}" for c in ("p", "d", "day", "gk", "n"))
    with transaction.atomic():
        DueCount.objects.filter(source_key=source.key).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT %s, {picked} FROM ({sql}) g", [source.key, *params])
            written = cursor.rowcount
        DueCountRun.objects.update_or_create(source_key=source.key, defaults={
            "counted_at": timezone.now(), "grants": [grant_key(ids) for ids in sets]})
    return written


def refresh(today: dt.date | None = None) -> dict[str, int]:
    """Recount every standing source (the periodic ``escalation.count_due``). Returns rows written per source."""
    sets = department_domain_sets()
    return {s.key: refresh_source(s, today, sets) for s in standing_sources()}


def snapshot(source: DeadlineSource) -> dict[tuple[Any, ...], int]:
    """A source's count rows as {(path, domain, day, grant): n} (tests)."""
    return {(p, d, day, g): n for p, d, day, g, n in DueCount.objects.filter(source_key=source.key).values_list(
        "jurisdiction_path", "domain_id", "deadline", "grant", "n") if n}
