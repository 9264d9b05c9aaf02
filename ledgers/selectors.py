"""Reads: rates, zero-out counts, the principal's duties, and the enterprise page's ledger overview."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from ledgers import lapsing
from ledgers.choices import DUTY_FREQUENCY, Duty, EquipmentStatus, Frequency
from ledgers.models import DutyRecord, SafetyCommitment, SpecialEquipment, WorkerCertificate
from ledgers.specs import ordered_specs


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def equipment_rates(qs: QuerySet, today: dt.date, by: str = "") -> list[dict[str, Any]] | dict[str, Any]:
    """登记率 = registered / in use; 定检率 = inspected (next inspection not past) / in use. In the database."""
    qs = qs.filter(status=EquipmentStatus.IN_USE)
    aggregates = {"total": Count("pk"), "registered": Count("pk", filter=Q(registered=True)),
                  "inspected": Count("pk", filter=Q(next_inspection__gte=today))}

    def finish(row: dict[str, Any]) -> dict[str, Any]:
        row["registration_rate"] = _pct(row["registered"], row["total"])
        row["inspection_rate"] = _pct(row["inspected"], row["total"])
        return row

    if by:
        return [finish(r) for r in qs.values(by).annotate(**aggregates).order_by(by)]
    return finish(qs.aggregate(**aggregates))


def certificate_zero_out(qs: QuerySet, today: dt.date) -> dict[str, Any]:
    """动态清零: persons (per enterprise, by ID number) holding no valid certificate, counted in the database."""
    valid = WorkerCertificate.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), id_number=OuterRef("id_number"), superseded=False,
        expires_on__gte=today).exclude(certificate_number="")
    persons = qs.values("enterprise_id", "id_number").distinct()
    total = persons.count()
    without = qs.annotate(has_valid=Exists(valid)).filter(has_valid=False).values("enterprise_id",
                                                                                   "id_number").distinct()
    return {"persons": total, "without_valid": without.count(), "without_rows": without}


def period_start(freq: str, today: dt.date) -> dt.date:
    if freq == Frequency.MONTH:
        return today.replace(day=1)
    if freq == Frequency.QUARTER:
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return dt.date(today.year, 1, 1)


def duty_status(enterprise: Any, today: dt.date) -> list[dict[str, Any]]:
    """Each of the 十个一次 with its frequency, the latest occurrence and whether the current period is done."""
    latest = {r["duty"]: r for r in DutyRecord.objects.filter(enterprise=enterprise).values("duty").annotate(
        n=Count("pk"))}
    last_dates = dict(DutyRecord.objects.filter(enterprise=enterprise).values("duty")
                      .annotate(last=Max("held_on")).values_list("duty", "last"))
    out = []
    for duty in Duty:
        freq = DUTY_FREQUENCY[duty]
        start = period_start(freq, today)
        last = last_dates.get(duty.value)
        out.append({"duty": duty, "label": duty.label, "frequency": Frequency(freq).label, "last": last,
                    "count": latest.get(duty.value, {}).get("n", 0), "done": bool(last and last >= start),
                    "period_start": start})
    return out


def enterprise_overview(*, user: Any, enterprise: Any, today: dt.date) -> dict[str, Any]:
    """Counts and the latest rows of every ledger, expiring items, rates and duties, for the enterprise page."""
    ledgers = []
    for spec in ordered_specs():
        qs = spec.model.objects.visible_to(user).filter(enterprise=enterprise)
        order = f"-{spec.date_field}" if spec.date_field else "-pk"
        ledgers.append({"spec": spec, "count": qs.count(), "latest": list(qs.order_by(order, "-pk")[:3])})
    equipment = SpecialEquipment.objects.visible_to(user).filter(enterprise=enterprise)
    certs = WorkerCertificate.objects.visible_to(user).filter(enterprise=enterprise)
    return {
        "ledgers": ledgers,
        "due_items": lapsing.due_items(user, today=today, enterprise=enterprise),
        "equipment_rates": equipment_rates(equipment, today),
        "zero_out": certificate_zero_out(certs, today),
        "duties": duty_status(enterprise, today),
        "commitments": list(SafetyCommitment.objects.visible_to(user).filter(enterprise=enterprise)[:3]),
    }


def duty_completion(enterprises: QuerySet, today: dt.date) -> list[dict[str, Any]]:
    """Per duty of the 十个一次: how many of the (scoped) enterprises have done it in the current period."""
    total = enterprises.count()
    out = []
    ids = enterprises.values("pk")
    counts = DutyRecord.objects.filter(enterprise_id__in=ids, held_on__lte=today).aggregate(**{
        duty.value: Count("enterprise_id", distinct=True,
                          filter=Q(duty=duty, held_on__gte=period_start(DUTY_FREQUENCY[duty], today)))
        for duty in Duty})
    for duty in Duty:
        done = counts[duty.value]
        out.append({"label": duty.label, "frequency": Frequency(DUTY_FREQUENCY[duty]).label, "done": done,
                    "total": total, "rate": _pct(done, total)})
    return out
