"""The stored credit class of every enterprise (``Enterprise.credit_class``), the one the credit figures, the list by
class and the supervision class (``risk.selectors``) read.

The class is a function of the enterprise's events and listing and of the day (``credit.rules``): it changes when
an event is added, revoked, repaired or re-scored, when a listing is decided or removed — each in the transaction
of that write, through ``refresh`` — and when an event or a listing begins or ends with time, through ``sweep``
(the periodic ``credit.collect``): the enterprises with such a boundary since the last sweep, set-based.

``refresh`` locks the enterprises (in id order, the lock every writer of a counted attribute holds), computes their
classes in two aggregate queries (``selectors.classes_for_ids``), writes the changed ones in one UPDATE per class
and moves them in ``EnterpriseTally`` (``enterprises.tally``). Nothing here is audited: the class is derived from
the events, which are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from credit.choices import BlacklistStatus, CreditClass
from credit.models import BlacklistEntry, ClassSweep, CreditEvent
from enterprises import tally
from enterprises.models import Enterprise

BATCH = 2000
# Inside ``deferred()``: the enterprises to refresh when it ends (one refresh for a job's several writes).
_pending: ContextVar[set[int] | None] = ContextVar("credit_refresh_pending", default=None)


@contextmanager
def deferred(today: dt.date | None = None) -> Iterator[None]:
    """Gather the refreshes of several writes in one transaction and run them once at the end (a collector run:
    new events, revocations, re-scored accidents), so every enterprise is locked before any tally row is."""
    if _pending.get() is not None:  # already gathering: the outer block refreshes
        yield
        return
    token = _pending.set(set())
    try:
        yield
        ids = _pending.get() or set()
    finally:
        _pending.reset(token)
    refresh(ids, today)


def refresh(enterprise_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Recompute and store the class of these enterprises as of ``today`` (inside the caller's transaction).
    Returns how many changed.

    Every enterprise is locked before any tally row is written (all batches first), the order of every writer
    (``enterprise_update``, the import), so two writers never wait on each other's enterprise and tally rows
    crosswise. Callers refresh once per transaction, after their writes."""
    from credit.selectors import classes_for_ids

    pending = _pending.get()
    if pending is not None:
        pending.update(int(pk) for pk in enterprise_ids if pk is not None)
        return 0
    today = today or timezone.localdate()
    ids = sorted({int(pk) for pk in enterprise_ids if pk is not None})
    if not ids:
        return 0
    with transaction.atomic():
        before = tally.states(ids, lock=True)
        now: dict[int, str] = {}
        for start in range(0, len(ids), BATCH):
            now.update(classes_for_ids(ids[start:start + BATCH], today))
        moved = {pk: s for pk, s in before.items() if now.get(pk, CreditClass.A.value) != s[2]}
        by_class: dict[str, list[int]] = {}
        for pk in moved:
            by_class.setdefault(now.get(pk, CreditClass.A.value), []).append(pk)
        for klass, pks in sorted(by_class.items()):
            for start in range(0, len(pks), BATCH):
                Enterprise.objects.filter(pk__in=pks[start:start + BATCH]).update(credit_class=klass)
        tally.move(moved, {pk: (s[0], s[1], now.get(pk, CreditClass.A.value)) for pk, s in moved.items()})
    return len(moved)


def boundary_ids(since: dt.date, today: dt.date) -> set[int]:
    """The enterprises with an event or a listing that began or ended in (``since``, ``today``]: the only ones whose
    class can have changed with time alone."""
    events = (CreditEvent.objects.filter(Q(occurred_on__gt=since, occurred_on__lte=today)
                                         | Q(expires_on__gt=since, expires_on__lte=today))
              .order_by().values_list("enterprise_id", flat=True).distinct())
    listings = (BlacklistEntry.objects.filter(status=BlacklistStatus.LISTED)
                .filter(Q(listed_on__gt=since, listed_on__lte=today) | Q(expires_on__gt=since, expires_on__lte=today))
                .order_by().values_list("enterprise_id", flat=True).distinct())
    return {*events, *listings}


@transaction.atomic
def sweep(today: dt.date | None = None) -> int:
    """Bring the stored classes to ``today``: refresh the enterprises with a boundary since the last sweep (the
    sweep row locked, so two runs never overlap). Returns how many classes changed."""
    today = today or timezone.localdate()
    mark = ClassSweep.objects.select_for_update().filter(pk=1).first()
    if mark is None:
        mark = ClassSweep.objects.create(pk=1, day=today)
        return recompute_all(today)
    if mark.day >= today:
        return 0
    changed = refresh(boundary_ids(mark.day, today), today)
    mark.day = today
    mark.save(update_fields=["day"])
    return changed


@transaction.atomic
def recompute_all(today: dt.date | None = None) -> int:
    """Recompute the class of every enterprise with an event or a listing, and of every enterprise stored below A
    (``recompute_credit_classes``: after events written outside the services). Returns how many changed."""
    today = today or timezone.localdate()
    ids = {*CreditEvent.objects.order_by().values_list("enterprise_id", flat=True).distinct(),
           *BlacklistEntry.objects.order_by().values_list("enterprise_id", flat=True).distinct(),
           *Enterprise.objects.exclude(credit_class=CreditClass.A.value).values_list("pk", flat=True)}
    return refresh(ids, today)
