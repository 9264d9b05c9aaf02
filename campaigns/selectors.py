"""Read-side figures for the campaign overview and reports, aggregated in the database and
always starting from ``Task.objects.visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from campaigns.choices import CLOSED_TASK_STATES, DeadlineKind, PartStatus, TaskStatus, UnitRole
from campaigns.models import Campaign, Task, TaskUnit

DONE = Q(status=TaskStatus.DONE)


def _overdue_q(today: dt.date, prefix: str = "") -> Q:
    return (~Q(**{f"{prefix}status__in": CLOSED_TASK_STATES}) & Q(**{f"{prefix}deadline_kind": DeadlineKind.DATE})
            & Q(**{f"{prefix}deadline__lt": today}))


def _on_time_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": TaskStatus.DONE}) & (
        Q(**{f"{prefix}deadline__isnull": True}) | Q(**{f"{prefix}completed_on__lte": F(f"{prefix}deadline")}))


def _due_q(today: dt.date, prefix: str = "") -> Q:
    """Tasks that should be finished by now, or are finished."""
    return Q(**{f"{prefix}status": TaskStatus.DONE}) | (
        Q(**{f"{prefix}deadline_kind": DeadlineKind.DATE}) & Q(**{f"{prefix}deadline__lt": today})
        & ~Q(**{f"{prefix}status": TaskStatus.WITHDRAWN}))


@dataclass
class Row:
    key: Any
    label: str
    total: int
    done: int
    overdue: int
    on_time: int = 0
    due: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def campaign_tasks(user: Any, campaign: Campaign) -> QuerySet[Task]:
    return Task.objects.visible_to(user).filter(campaign=campaign)


def totals(tasks: QuerySet[Task], today: dt.date) -> Row:
    agg = tasks.aggregate(total=Count("pk"), done=Count("pk", filter=DONE),
                          overdue=Count("pk", filter=_overdue_q(today)), on_time=Count("pk", filter=_on_time_q()),
                          due=Count("pk", filter=_due_q(today)),
                          in_progress=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS)))
    row = Row("all", "合计", agg["total"], agg["done"], agg["overdue"], agg["on_time"], agg["due"])
    row.in_progress = agg["in_progress"]  # type: ignore[attr-defined]
    return row


def by_plan(tasks: QuerySet[Task], today: dt.date) -> list[Row]:
    rows = (tasks.values("plan_id", "plan__code", "plan__short_name", "plan__sort")
            .annotate(total=Count("pk"), done=Count("pk", filter=DONE), overdue=Count("pk", filter=_overdue_q(today)))
            .order_by("plan__sort"))
    return [Row(r["plan_id"], f"{r['plan__code']} {r['plan__short_name']}" if r["plan__code"] != "master"
                else r["plan__short_name"], r["total"], r["done"], r["overdue"]) for r in rows]


def by_phase(tasks: QuerySet[Task], today: dt.date) -> list[Row]:
    rows = (tasks.values("phase_id", "phase__name", "phase__sort")
            .annotate(total=Count("pk"), done=Count("pk", filter=DONE), overdue=Count("pk", filter=_overdue_q(today)))
            .order_by("phase__sort"))
    return [Row(r["phase_id"] or "none", r["phase__name"] or "未划分阶段", r["total"], r["done"], r["overdue"])
            for r in rows]


def _part_overdue_q(today: dt.date) -> Q:
    return (~Q(status=PartStatus.DONE) & ~Q(task__status__in=CLOSED_TASK_STATES)
            & Q(task__deadline_kind=DeadlineKind.DATE) & Q(task__deadline__lt=today))


def _part_on_time_q() -> Q:
    return Q(status=PartStatus.DONE) & (Q(task__deadline__isnull=True) | Q(completed_on__lte=F("task__deadline")))


def _part_due_q(today: dt.date) -> Q:
    return Q(status=PartStatus.DONE) | (Q(task__deadline_kind=DeadlineKind.DATE) & Q(task__deadline__lt=today)
                                        & ~Q(task__status=TaskStatus.WITHDRAWN))


def by_unit(tasks: QuerySet[Task], today: dt.date) -> list[Row]:
    """Per unit with a part (collectives left out), from each unit's OWN part (``TaskUnit.status``): a township
    is credited with what it completed, never with a shared task another unit finished. Leads and 配合 apart."""
    links = (TaskUnit.objects.filter(task__in=tasks.values("pk"), unit__collective=False)
             .values("unit_id", "unit__name", "unit__sort")
             .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=PartStatus.DONE)),
                       overdue=Count("pk", filter=_part_overdue_q(today)),
                       on_time=Count("pk", filter=_part_on_time_q()),
                       due=Count("pk", filter=_part_due_q(today)),
                       lead=Count("pk", filter=Q(role=UnitRole.LEAD)),
                       coop=Count("pk", filter=Q(role=UnitRole.COOP)),
                       implementing=Count("pk", filter=Q(role=UnitRole.IMPLEMENTING))))
    rows = []
    for r in links:
        row = Row(r["unit_id"], r["unit__name"], r["total"], r["done"], r["overdue"], r["on_time"], r["due"])
        row.lead, row.coop, row.implementing = r["lead"], r["coop"], r["implementing"]  # type: ignore[attr-defined]
        rows.append(row)
    return rows


def ranking(rows: list[Row]) -> list[Row]:
    """Units with tasks due, best on-time rate first; ties by fewer overdue tasks, then name."""
    ranked = [r for r in rows if r.due]
    return sorted(ranked, key=lambda r: (-(r.on_time_rate or 0), r.overdue, r.label))


def overdue_tasks(tasks: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
    return tasks.filter(_overdue_q(today)).select_related("plan").order_by("deadline", "pk")


def overdue_units(tasks: QuerySet[Task], today: dt.date) -> list[Row]:
    return sorted([r for r in by_unit(tasks, today) if r.overdue], key=lambda r: (-r.overdue, r.label))
