"""Reads for the 督办台: counts per source computed in the database, always within the viewer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from escalation.choices import RecordStatus
from escalation.models import EscalationRecord
from escalation.registry import SOURCES, DeadlineSource, get_source
from workdays import services as workdays


def open_visible(user: Any, source: DeadlineSource) -> QuerySet:
    """The source's open items the user may see (one filtered queryset where the source allows it)."""
    from escalation.counts import open_visible as items

    return items(user, source)


def soon_horizon(source: DeadlineSource, today: dt.date) -> dt.date:
    return workdays.add_workdays(today, max(source.remind_before, default=0))


def open_visible_rows(user: Any, source: DeadlineSource) -> QuerySet:
    """The same rows as ``open_visible``, built from ``open_items()`` so that the source's own
    select_related (what its title/url callables need) applies when the rows are displayed."""
    return open_visible(user, source)


def overdue_items(user: Any, source_key: str, *, today: dt.date | None = None) -> QuerySet:
    """Open items past their deadline that the user may see, oldest deadline first."""
    source = get_source(source_key)
    today = today or timezone.localdate()
    return open_visible_rows(user, source).filter(**{f"{source.due_lookup}__lt": today}).order_by(
        source.due_field, "pk")


def due_soon_items(user: Any, source_key: str, *, today: dt.date | None = None) -> QuerySet:
    """Open items due from today up to the largest ``remind_before`` working days ahead."""
    source = get_source(source_key)
    today = today or timezone.localdate()
    return open_visible_rows(user, source).filter(**{
        f"{source.due_lookup}__gte": today, f"{source.due_lookup}__lte": soon_horizon(source, today)}
    ).order_by(source.due_field, "pk")


def due_summary(user: Any, *, today: dt.date | None = None, live: bool = False) -> list[dict[str, Any]]:
    """Per source: label, overdue count, due-soon count (within the largest ``remind_before``), and when it was
    counted (``counted_at``: None when counted now).

    Read from the maintained counts (``escalation.counts``: no scan of the viewer's scope), or with ``live`` one
    aggregate query per source over the items in the viewer's scope."""
    from escalation import counts

    today = today or timezone.localdate()
    horizons = {key: soon_horizon(source, today) for key, source in SOURCES.items()}
    if live:
        found = {key: counts.direct(user, source, today, horizons[key]) for key, source in SOURCES.items()}
    else:
        found = counts.maintained(user, horizons, today)
    out = []
    for key, source in SOURCES.items():
        c = found[key]
        out.append({"key": key, "label": source.label, "kind_label": source.kind_label, "overdue": c.overdue,
                    "due_soon": c.due_soon, "horizon": horizons[key], "counted_at": c.counted_at})
    return out


def latest_records(source_key: str, ids: list[int]) -> dict[tuple[int, dt.date], EscalationRecord]:
    """The highest record per (object, deadline) for a page of items: one query."""
    out: dict[tuple[int, dt.date], EscalationRecord] = {}
    rows = (EscalationRecord.objects.filter(source_key=source_key, object_id__in=ids)
            .exclude(status=RecordStatus.DISMISSED).select_related("step").order_by("created_at", "pk"))
    for r in rows:
        key = (r.object_id, r.due_date)
        cur = out.get(key)
        if cur is None or (r.step.order if r.step else 99) >= (cur.step.order if cur.step else 99) or r.manual:
            out[key] = r
    return out


def pending_decisions(user: Any, *, highest_only: bool = True) -> QuerySet:
    """Proposed steps awaiting the office. With ``highest_only``, an item that has both a proposed 约谈
    and a proposed 挂牌督办 (an item first seen long overdue) shows once, at its highest step (the lower one is
    ``outranked``, a mark the engine keeps)."""
    qs = EscalationRecord.objects.visible_to(user).filter(status=RecordStatus.PROPOSED)
    if highest_only:
        qs = qs.filter(outranked=False)
    return qs.select_related("step").order_by("created_at", "pk")


def record_history(user: Any) -> QuerySet:
    return EscalationRecord.objects.visible_to(user).select_related("decided_by", "created_by", "step")


__all__ = ["due_summary", "overdue_items", "due_soon_items", "latest_records",
           "pending_decisions", "record_history", "open_visible"]
