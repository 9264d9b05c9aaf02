"""The daily rollup (``CheckDay``) behind the figures: kept in the same transaction as the writes that change its
counts, and rebuilt from the rows for existing data or repair.

* ``generate_due`` sets the ``due`` count of every (target, domain, day) from today on, recounted set-based from
  the due checks ahead (an absolute value: a concurrent or repeated generation cannot count twice);
* a submitted run adds itself (runs, failures, hazards, 立查立改) to the day it was performed, and the due check it
  fulfils to that check's due day (done, on time), as increments in one upsert a row — no lock beyond the row;
* ``rebuild`` recounts everything from due checks and submitted runs (idempotent).

Rows are upserted with ``INSERT … ON CONFLICT`` on the partial unique indexes (one for enterprises, one for
premises), the same statement on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

KEYS = ("enterprise_id", "premises_id", "jurisdiction_id", "jurisdiction_path", "domain_id", "day")
COUNTS = ("due", "done", "on_time", "runs", "runs_finding", "failures", "hazards", "fixes")
BATCH = 500


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def upsert(rows: Iterable[dict[str, Any]], *, fields: tuple[str, ...], add: bool, model: Any = None) -> int:
    """Write ``fields`` of the rows keyed by target, domain and day: added to what is there (``add``) or set."""
    if model is None:
        from checks.models import CheckDay as model
    table = connection.ops.quote_name(model._meta.db_table)
    columns = (*KEYS, *fields)
    qn = connection.ops.quote_name
    if add:
        assign = ", ".join(f"{qn(f)} = {table}.{qn(f)} + excluded.{qn(f)}" for f in fields)
    else:
        assign = ", ".join(f"{qn(f)} = excluded.{qn(f)}" for f in fields)
    # Counts not written here start at zero on a new row.
    defaults = [c for c in COUNTS if c not in fields]
    n = 0
    for chunk in _chunks(rows, BATCH):
        by_kind: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for row in chunk:
            by_kind[row["enterprise_id"] is not None].append(row)
        for is_enterprise, part in by_kind.items():
            if not part:
                continue
            target = "enterprise_id" if is_enterprise else "premises_id"
            where = "IS NOT NULL" if is_enterprise else "IS NULL"
            placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + len(defaults))) + ")"] * len(part))
            params: list[Any] = []
            for row in part:
                params += [row[c] for c in columns] + [0] * len(defaults)
            sql = (f"INSERT INTO {table} ({', '.join(qn(c) for c in (*columns, *defaults))}) VALUES {placeholders} "
                   f"ON CONFLICT ({qn(target)}, {qn('domain_id')}, {qn('day')}) WHERE {qn('enterprise_id')} {where} "
                   f"DO UPDATE SET {assign}")
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            n += len(part)
    return n


def _keys(obj: Any, day: dt.date) -> dict[str, Any]:
    return {"enterprise_id": obj.enterprise_id, "premises_id": obj.premises_id,
            "jurisdiction_id": obj.jurisdiction_id, "jurisdiction_path": obj.jurisdiction_path,
            "domain_id": obj.domain_id, "day": day}


def run_submitted(run: Any, due: Any = None, done_on: dt.date | None = None) -> None:
    """A run was submitted (and fulfilled ``due`` on ``done_on``): add it to the rollup."""
    fields = ("runs", "runs_finding", "failures", "hazards", "fixes")
    upsert([{**_keys(run, timezone.localdate(run.performed_at)), "runs": 1, "runs_finding": int(run.items_failed > 0),
             "failures": run.items_failed, "hazards": run.hazards_created, "fixes": run.fixed_on_spot}],
           fields=fields, add=True)
    if due is not None and done_on is not None:
        upsert([{**_keys(due, due.due_on), "done": 1, "on_time": int(done_on <= due.due_on)}],
               fields=("done", "on_time"), add=True)


def _group_keys() -> tuple[str, ...]:
    return ("enterprise_id", "premises_id", "jurisdiction_id", "jurisdiction_path", "domain_id")


def due_rows(due_checks: Any) -> Iterator[dict[str, Any]]:
    """The due, done and on-time counts of the due checks, per target, domain and due day."""
    from django.db.models import F

    qs = (due_checks.order_by().values(*_group_keys(), "due_on")
          .annotate(n=Count("pk"), d=Count("pk", filter=Q(run__isnull=False)),
                    t=Count("pk", filter=Q(run__isnull=False, done_on__lte=F("due_on")))))
    for row in qs.iterator(chunk_size=5000):
        day = row.pop("due_on")
        yield {**row, "day": day, "due": row.pop("n"), "done": row.pop("d"), "on_time": row.pop("t")}


def refresh_due(*, since: dt.date, model: Any = None, due_model: Any = None) -> int:
    """Set the ``due`` count of every day from ``since`` on from the due checks (after a generation)."""
    if due_model is None:
        from checks.models import DueCheck as due_model
    rows = ({k: r[k] for k in (*KEYS, "due")} for r in due_rows(due_model.objects.filter(due_on__gte=since)))
    return upsert(rows, fields=("due",), add=False, model=model)


def run_rows(runs: Any) -> Iterator[dict[str, Any]]:
    """The run counts of the submitted runs, per target, domain and local day performed."""
    qs = (runs.order_by().annotate(day=TruncDate("performed_at", tzinfo=timezone.get_current_timezone()))
          .values(*_group_keys(), "day")
          .annotate(r=Count("pk"), f=Count("pk", filter=Q(items_failed__gt=0)), x=Sum("items_failed"),
                    h=Sum("hazards_created"), s=Sum("fixed_on_spot")))
    for row in qs.iterator(chunk_size=5000):
        yield {**{k: row[k] for k in KEYS}, "runs": row["r"], "runs_finding": row["f"], "failures": row["x"] or 0,
               "hazards": row["h"] or 0, "fixes": row["s"] or 0}


@transaction.atomic
def rebuild(*, model: Any = None, due_model: Any = None, run_model: Any = None) -> int:
    """Recount the whole rollup from due checks and submitted runs. Idempotent; returns the rows written."""
    if model is None:
        from checks.models import CheckDay as model
    if due_model is None:
        from checks.models import DueCheck as due_model
    if run_model is None:
        from checks.models import CheckRun as run_model
    from checks.choices import RunStatus

    model.objects.all().delete()
    n = upsert(due_rows(due_model.objects.all()), fields=("due", "done", "on_time"), add=True, model=model)
    n += upsert(run_rows(run_model.objects.filter(status=RunStatus.SUBMITTED)),
                fields=("runs", "runs_finding", "failures", "hazards", "fixes"), add=True, model=model)
    return n


def snapshot(model: Any = None) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The rollup as {(enterprise, premises, jurisdiction, domain, day): counts}, without all-zero rows (tests,
    repair checks)."""
    if model is None:
        from checks.models import CheckDay as model
    out = {}
    for row in model.objects.values_list("enterprise_id", "premises_id", "jurisdiction_id", "domain_id", "day",
                                         *COUNTS):
        if any(row[5:]):
            out[row[:5]] = tuple(row[5:])
    return out
