"""The maintained enterprise counts (``EnterpriseTally``; see ``enterprises.models.tally``): kept in the same
transaction as every write that changes a counted attribute of an enterprise — its jurisdiction path, its set of
domains, its stored credit class — and rebuilt from the enterprises for existing data or repair.

A write locks the enterprises it changes, reads where they are counted (``states``), writes, and moves them from
their old keys to their new ones (``move``): one ``INSERT … ON CONFLICT`` upsert per batch adding −1 and +1, keys
sorted so two writers lock tally rows in the same order. A new enterprise is ``added`` (the import: one upsert per
batch of 5,000). ``rebuild`` recounts everything (idempotent; ``rebuild_enterprise_tallies``).

Who calls it: ``enterprises.services`` (create, update), ``enterprises.importer`` (COPY path), ``credit.standing``
(the stored class). The one rule of what is counted where is ``State``; ``enterprises.selectors`` and
``credit.selectors`` read the rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from core.bulk import upsert_counts
from enterprises.models import Enterprise, EnterpriseDomain, EnterpriseTally, domain_key

KEY = ("jurisdiction_path", "domain_key", "credit_class")
BATCH = 2000

# Where an enterprise is counted: (jurisdiction path, domain key, credit class).
State = tuple[str, str, str]


def _domain_keys(ids: Sequence[int]) -> dict[int, str]:
    domains: dict[int, list[int]] = {}
    for ent_id, dom in EnterpriseDomain.objects.filter(enterprise_id__in=ids).values_list("enterprise_id",
                                                                                         "domain_id"):
        domains.setdefault(ent_id, []).append(dom)
    return {pk: domain_key(domains.get(pk, ())) for pk in ids}


def states(ids: Iterable[int], *, lock: bool = False) -> dict[int, State]:
    """{enterprise id: where it is counted now}, read in batches; ``lock`` takes the enterprises' row locks first
    (in id order), which every writer of a counted attribute holds, so the state read is the one the write
    changes."""
    ids = sorted(set(ids))
    out: dict[int, State] = {}
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        qs = Enterprise.objects.filter(pk__in=part).order_by("pk")
        if lock:
            qs = qs.select_for_update()
        rows = list(qs.values_list("pk", "jurisdiction_path", "credit_class"))
        keys = _domain_keys([r[0] for r in rows])
        out.update({pk: (path, keys[pk], klass) for pk, path, klass in rows})
    return out


def apply(delta: Counter) -> None:
    """Add ``delta`` ({where counted: change}) to the counts: one upsert per 500 keys."""
    upsert_counts(EnterpriseTally, KEY, {k: n for k, n in delta.items() if n})


def added(new: Iterable[State]) -> None:
    """Enterprises were created: count them (one upsert per 500 keys, not per enterprise)."""
    apply(Counter(new))


def move(before: Mapping[int, State], after: Mapping[int, State]) -> None:
    """Enterprises changed: each leaves the key it was counted under and joins its current one."""
    delta: Counter = Counter()
    for s in before.values():
        delta[s] -= 1
    for s in after.values():
        delta[s] += 1
    apply(delta)


def follow(enterprise_ids: Iterable[int], before: Mapping[int, State]) -> None:
    """After a write to enterprises locked and read with ``states(…, lock=True)``: count them where they are now."""
    move(before, states(enterprise_ids))


# -- direct counts and upkeep ------------------------------------------------------------------------------------
def tally_rows(enterprises: QuerySet) -> dict[State, int]:
    """The ``EnterpriseTally`` counts of a queryset of enterprises, counted from the enterprises and their domain
    links (tests, the counts outside the tallies' reach, ``rebuild`` on SQLite)."""
    out: Counter = Counter()
    ids = list(enterprises.order_by().values_list("pk", flat=True))
    for s in states(ids).values():
        out[s] += 1
    return dict(out)


def _rows_in_sql() -> dict[State, int]:
    """All enterprises grouped by their key in one statement (PostgreSQL: ``string_agg`` in domain order)."""
    qn = connection.ops.quote_name
    ent = qn(Enterprise._meta.db_table)
    link = qn(EnterpriseDomain._meta.db_table)
    sql = (f"WITH k AS (SELECT {qn('enterprise_id')} AS eid, ',' || string_agg({qn('domain_id')}::text, ',' "
           f"ORDER BY {qn('domain_id')}) || ',' AS dk FROM {link} GROUP BY {qn('enterprise_id')}) "
           f"SELECT e.{qn('jurisdiction_path')}, COALESCE(k.dk, ''), e.{qn('credit_class')}, COUNT(*) "
           f"FROM {ent} e LEFT JOIN k ON k.eid = e.{qn('id')} GROUP BY 1, 2, 3")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(p, k, c): n for p, k, c, n in cursor.fetchall()}


@transaction.atomic
def rebuild() -> int:
    """Recount the tally from the enterprises (idempotent). Returns the rows written. On PostgreSQL the
    enterprises and their domain links are share-locked meanwhile, so no write is counted twice or lost."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Enterprise, EnterpriseDomain):
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE MODE")
        rows = _rows_in_sql()
    else:
        rows = tally_rows(Enterprise.objects.all())
    EnterpriseTally.objects.all().delete()
    upsert_counts(EnterpriseTally, KEY, rows)
    return len(rows)


def snapshot() -> dict[State, int]:
    """The table as {key: n} without zero rows (tests, repair checks)."""
    return {tuple(r[:-1]): r[-1] for r in EnterpriseTally.objects.values_list(*KEY, "n") if r[-1]}  # type: ignore[misc]


def counts_for(scope: Any, by: str) -> Counter:
    """{domain key or credit class: enterprises} of everything a scope sees: its territory and (territory ×
    domains) arms summed from the tally in one grouped query, what enterprise accounts and explicit grants add
    outside them counted from the enterprises (a handful). ``by`` is ``"domain_key"`` or ``"credit_class"``."""
    from django.db.models import Sum

    out: Counter = Counter()
    if scope.is_empty:
        return out
    if scope.territories or scope.domain_grants:
        rows = (EnterpriseTally.objects.filter(EnterpriseTally.scope_q(scope)).order_by().values(by)
                .annotate(s=Sum("n")).values_list(by, "s"))
        for k, n in rows:
            out[k] += n or 0
    extra = outside_tallies(scope)
    if extra is not None:
        index = KEY.index(by)
        for s, n in tally_rows(extra).items():
            out[s[index]] += n
    return out


def outside_tallies(scope: Any) -> QuerySet | None:
    """The enterprises a scope sees through its enterprise accounts and explicit grants but not through its
    territories and domains (the grants read once, so the count uses the primary key)."""
    ids = [*scope.enterprise_ids, *scope.granted_ids(Enterprise)]
    if not ids:
        return None
    counted = scope.territorial_q("jurisdiction_path") | scope.domain_q(
        "jurisdiction_path", domain_exists=(EnterpriseDomain, "enterprise", "domain_id"))
    return Enterprise.objects.filter(pk__in=ids).exclude(counted)
