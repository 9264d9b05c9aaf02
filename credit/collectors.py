"""Collectors: the credit events other apps' records imply, read from their tables set-based and written
idempotently (one event per source object, ``source_key`` unique; a second run adds nothing).

- penalties: every 行政处罚 decision not withdrawn (enforcement.Case; also written in the decision's own transaction
  by ``services.penalty_event_write``); a withdrawn decision's event is revoked (行政处罚法第四十八条);
- 重大事故隐患逾期未整改: a major hazard of the enterprise past its deadline and still with the enterprise
  (hazards.choices.OVERDUE_STATUSES), 安全生产法第四十一条第三款;
- accidents of the enterprise (accidents.Accident), points by grade (国务院令第493号第三条); a re-graded accident
  (补报) changes its event's points;
- tips verified true against the enterprise (tips.Tip.confirmed);
- 连续三年无生产安全事故: an enterprise registered here for the three calendar years before this one without an
  accident in them (one positive event per year, valid one year).

Each run is one transaction per collector, audited with ``record_many`` (``credit.event_record``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit
from core.formats import cn_date
from credit import rules, standing
from credit.choices import EventKind
from credit.models import CreditEvent

BATCH = 2000


def _keys(kind: str, source_type: str, source_id: Any, suffix: str = "") -> str:
    return f"{kind}:{source_type}:{source_id}{suffix}"


def _limit(qs: Any, enterprise_ids: Iterable[int] | None, field: str = "enterprise_id") -> Any:
    return qs if enterprise_ids is None else qs.filter(**{f"{field}__in": list(enterprise_ids)})


def write_events(rows: list[CreditEvent]) -> int:
    """Insert the events not yet stored (by ``source_key``) and audit those inserted; returns how many."""
    if not rows:
        return 0
    now = timezone.now()
    created = 0
    touched: set[int] = set()
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        keys = [r.source_key for r in batch]
        existing = set(CreditEvent.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
        fresh = [r for r in batch if r.source_key not in existing]
        for r in fresh:
            r.recorded_at = now
            r.copy_scope_keys()
        CreditEvent.objects.bulk_create(fresh, ignore_conflicts=True)
        mine = list(CreditEvent.objects.filter(source_key__in=[r.source_key for r in fresh], recorded_at=now))
        audit.record_many(("credit.event_record", e, {"kind": [None, e.kind], "points": [None, e.points],
                                                       "grounds": [None, e.grounds]}, "") for e in mine)
        touched.update(e.enterprise_id for e in mine)
        created += len(mine)
    standing.refresh(touched)  # once, after every batch: the enterprises are locked before any tally row
    return created


def penalty_event(case: Any) -> CreditEvent:
    from enforcement.services import penalty_summary

    amount = (case.fine_amount or 0) + (case.confiscation_amount or 0)
    occurred = case.decided_on or timezone.localdate()
    return CreditEvent(
        enterprise_id=case.enterprise_id, enterprise=case.enterprise, kind=EventKind.PENALTY,
        points=rules.penalty_points(case.penalty_types, amount), amount=amount,
        grounds=f"{case.department.name}行政处罚：{case.cause}（{penalty_summary(case)}）"[:500],
        source_type="enforcement.case", source_id=case.pk, source_key=_keys(EventKind.PENALTY, "enforcement.case",
                                                                            case.pk),
        occurred_on=occurred, expires_on=rules.expires_on(EventKind.PENALTY, occurred), department_id=case.department_id)


def collect_penalties(today: dt.date, enterprise_ids: Iterable[int] | None = None) -> int:
    from enforcement.models import Case

    done = CreditEvent.objects.filter(source_type="enforcement.case", kind=EventKind.PENALTY).values("source_id")
    cases = _limit(Case.objects.filter(decided_on__isnull=False, withdrawn_at__isnull=True).exclude(pk__in=done),
                   enterprise_ids).select_related("enterprise", "department").order_by("pk")
    created = write_events([penalty_event(c) for c in cases.iterator(chunk_size=BATCH)])
    withdrawn = _limit(Case.objects.filter(withdrawn_at__isnull=False), enterprise_ids).values("pk")
    revoke_events(CreditEvent.objects.filter(source_type="enforcement.case", source_id__in=withdrawn,
                                             revoked_at__isnull=True), reason="处罚决定已撤回（行政处罚法第四十八条）")
    return created


def revoke_events(qs: Any, *, reason: str, at: dt.datetime | None = None) -> int:
    at = at or timezone.now()
    rows = list(qs.select_for_update())
    for e in rows:
        e.revoked_at, e.revoke_reason = at, reason[:300]
    CreditEvent.objects.bulk_update(rows, ["revoked_at", "revoke_reason"])
    audit.record_many(("credit.event_revoke", e, {"revoked_at": [None, at.isoformat()]}, reason) for e in rows)
    standing.refresh({e.enterprise_id for e in rows})
    return len(rows)


def collect_overdue_major(today: dt.date, enterprise_ids: Iterable[int] | None = None) -> int:
    from hazards.choices import OVERDUE_STATUSES, Grade
    from hazards.models import Hazard

    done = CreditEvent.objects.filter(source_type="hazards.hazard", kind=EventKind.OVERDUE_MAJOR).values("source_id")
    hazards = _limit(Hazard.objects.filter(grade=Grade.MAJOR, status__in=OVERDUE_STATUSES, deadline__lt=today,
                                           enterprise__isnull=False).exclude(pk__in=done),
                     enterprise_ids).select_related("enterprise").order_by("pk")
    rows = []
    for h in hazards.iterator(chunk_size=BATCH):
        occurred = h.deadline + dt.timedelta(days=1)
        rows.append(CreditEvent(
            enterprise=h.enterprise, kind=EventKind.OVERDUE_MAJOR, points=rules.OVERDUE_MAJOR_POINTS,
            grounds=f"重大事故隐患{h.number or h.pk}逾期未整改（整改期限{cn_date(h.deadline)}）",
            source_type="hazards.hazard", source_id=h.pk,
            source_key=_keys(EventKind.OVERDUE_MAJOR, "hazards.hazard", h.pk), occurred_on=occurred,
            expires_on=rules.expires_on(EventKind.OVERDUE_MAJOR, occurred), department_id=h.supervisor_unit_id))
    return write_events(rows)


def collect_accidents(today: dt.date, enterprise_ids: Iterable[int] | None = None) -> int:
    from accidents.choices import Grade
    from accidents.models import Accident

    base = _limit(Accident.objects.filter(enterprise__isnull=False), enterprise_ids)
    done = CreditEvent.objects.filter(source_type="accidents.accident", kind=EventKind.ACCIDENT)
    rows = []
    for a in base.exclude(pk__in=done.values("source_id")).select_related("enterprise").order_by("pk").iterator(
            chunk_size=BATCH):
        occurred = a.occurred_on
        rows.append(CreditEvent(
            enterprise=a.enterprise, kind=EventKind.ACCIDENT, points=rules.accident_points(a.grade), level=a.grade[:2],
            grounds=f"发生生产安全事故{a.number or a.pk}（{Grade(a.grade).label}，死亡{a.deaths}人）",
            source_type="accidents.accident", source_id=a.pk,
            source_key=_keys(EventKind.ACCIDENT, "accidents.accident", a.pk), occurred_on=occurred,
            expires_on=rules.expires_on(EventKind.ACCIDENT, occurred)))
    created = write_events(rows)
    # 补报 may change the grade: the event follows (one UPDATE per grade, audited).
    for grade in Grade:
        points = rules.accident_points(grade.value)
        stale = list(done.filter(source_id__in=base.filter(grade=grade).values("pk")).exclude(points=points)
                     .select_for_update())
        for e in stale:
            audit.record(action="credit.event_change", obj=e, changes={"points": [e.points, points]},
                         note=str(grade.label))
        CreditEvent.objects.filter(pk__in=[e.pk for e in stale]).update(points=points, level=grade.value[:2])
        standing.refresh({e.enterprise_id for e in stale})
    return created


def collect_tips(today: dt.date, enterprise_ids: Iterable[int] | None = None) -> int:
    from tips.choices import TipKind
    from tips.models import Tip

    done = CreditEvent.objects.filter(source_type="tips.tip", kind=EventKind.CONFIRMED_TIP).values("source_id")
    tips = _limit(Tip.objects.filter(confirmed=True, enterprise__isnull=False, verified_at__isnull=False)
                  .exclude(pk__in=done), enterprise_ids).select_related("enterprise").order_by("pk")
    rows = []
    for t in tips.iterator(chunk_size=BATCH):
        occurred = timezone.localdate(t.verified_at)
        rows.append(CreditEvent(
            enterprise=t.enterprise, kind=EventKind.CONFIRMED_TIP, points=rules.CONFIRMED_TIP_POINTS,
            grounds=f"群众举报经核查属实（{TipKind(t.kind).label}）", source_type="tips.tip", source_id=t.pk,
            source_key=_keys(EventKind.CONFIRMED_TIP, "tips.tip", t.pk), occurred_on=occurred,
            expires_on=rules.expires_on(EventKind.CONFIRMED_TIP, occurred), department_id=t.assigned_unit_id))
    return write_events(rows)


def collect_no_accident(today: dt.date, enterprise_ids: Iterable[int] | None = None) -> int:
    """For the last full year Y: enterprises registered here before 1 January of Y-2 with no accident in Y-2..Y."""
    from accidents.models import Accident
    from enterprises.models import Enterprise

    year = today.year - 1
    first = dt.date(year - rules.NO_ACCIDENT_YEARS + 1, 1, 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time()))
    with_accident = Accident.objects.filter(enterprise__isnull=False, occurred_at__gte=start,
                                            occurred_at__lt=end).values("enterprise_id")
    suffix = f":{year}"
    done = CreditEvent.objects.filter(kind=EventKind.NO_ACCIDENT, source_key__endswith=suffix).values("enterprise_id")
    enterprises = _limit(Enterprise.objects.filter(created_at__lt=start).exclude(pk__in=with_accident)
                         .exclude(pk__in=done), enterprise_ids, "pk").order_by("pk")
    occurred = dt.date(year, 12, 31)
    rows = [CreditEvent(
        enterprise=e, kind=EventKind.NO_ACCIDENT, points=rules.NO_ACCIDENT_POINTS,
        grounds=f"{first.year}—{year}年连续三年无生产安全事故", source_type="enterprises.enterprise", source_id=e.pk,
        source_key=_keys(EventKind.NO_ACCIDENT, "enterprises.enterprise", e.pk, suffix), occurred_on=occurred,
        expires_on=rules.expires_on(EventKind.NO_ACCIDENT, occurred)) for e in enterprises.iterator(chunk_size=BATCH)]
    return write_events(rows)


COLLECTORS = {"penalties": collect_penalties, "overdue_major": collect_overdue_major, "accidents": collect_accidents,
              "tips": collect_tips, "no_accident": collect_no_accident}


def collect_all(today: dt.date | None = None, enterprise_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Run every collector (each in its own transaction); {collector: events added}."""
    today = today or timezone.localdate()
    ids = None if enterprise_ids is None else list(enterprise_ids)
    out = {}
    for name, collector in COLLECTORS.items():
        # The stored classes of the enterprises touched follow once, at the end of the collector's transaction.
        with transaction.atomic(), standing.deferred():
            out[name] = collector(today, ids)
    return out

