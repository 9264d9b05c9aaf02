"""Reads: who regulates a hazard, the figures (aggregated in the database), statistics periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Func, Max, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from core.scoping import scope_for
from core.uploads import attachments_for
from hazards.choices import DONE_STATUSES, OPEN_STATUSES, OVERDUE_STATUSES, Grade, PeriodKind, Status
from hazards.models import Hazard
from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
from orgs.models import Unit


def photo_roles(hazard: Hazard) -> set[str]:
    return set(attachments_for(hazard).values_list("role", flat=True))


def _covering(units: QuerySet[Unit], path: str) -> list[Unit]:
    # Units whose territory contains the hazard, most local first.
    found = [u for u in units if path.startswith(u.jurisdiction_path)]
    return sorted(found, key=lambda u: (-len(u.jurisdiction_path), u.sort, u.name))


def regulators_of(hazard: Hazard) -> list[Unit]:
    """Department units regulating the hazard's domain in its territory (行业监管)."""
    qs = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True, collective=False, domains=hazard.domain_id)
    return _covering(qs, hazard.jurisdiction_path)


def territorial_units_of(hazard: Hazard) -> list[Unit]:
    """The township / street / park (and village) governments of the hazard's place (属地管理)."""
    qs = Unit.objects.filter(kind__in=TERRITORIAL_UNIT_KINDS, active=True, collective=False)
    return _covering(qs, hazard.jurisdiction_path)


def offices_of(hazard: Hazard) -> list[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.OFFICE, active=True, collective=False)
    return _covering(qs, hazard.jurisdiction_path)


def default_supervisor(hazard: Hazard) -> Unit | None:
    regulators = regulators_of(hazard)
    return regulators[0] if regulators else None


# -- figures -----------------------------------------------------------------------------------------
FIGURE_FILTERS: dict[str, dict[str, str]] = {
    # key -> the list filter that shows exactly the hazards counted (each figure is clickable).
    "total": {"state": "valid"},
    "done": {"state": "done"},
    "on_time": {"state": "on_time"},
    "overdue": {"overdue": "true"},
    "major": {"grade": Grade.MAJOR, "state": "valid"},
    "major_open": {"grade": Grade.MAJOR, "state": "open"},
    "open": {"state": "open"},
}


def figures_q(today: dt.date) -> dict[str, Q]:
    return {
        "total": ~Q(status=Status.VOIDED),
        "done": Q(status__in=DONE_STATUSES),
        "on_time": Q(status__in=DONE_STATUSES) & (Q(deadline__isnull=True) | Q(rectified_on__lte=F("deadline"))),
        "overdue": Q(status__in=OVERDUE_STATUSES, deadline__lt=today),
        "major": Q(grade=Grade.MAJOR) & ~Q(status=Status.VOIDED),
        "major_open": Q(grade=Grade.MAJOR, status__in=OPEN_STATUSES),
        "open": Q(status__in=OPEN_STATUSES),
    }


@dataclass(frozen=True)
class Figures:
    total: int
    done: int
    on_time: int
    overdue: int
    major: int
    major_open: int
    open: int

    @property
    def rectification_rate(self) -> float | None:
        return None if not self.total else round(100 * self.done / self.total, 1)

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.done else round(100 * self.on_time / self.done, 1)


def figures(qs: QuerySet[Hazard], today: dt.date | None = None) -> Figures:
    """整改率, 按期整改率, 超期数, 重大隐患数 — one aggregate query over an already scoped queryset."""
    today = today or timezone.localdate()
    row = qs.aggregate(**{k: Count("pk", filter=q) for k, q in figures_q(today).items()})
    return Figures(**{k: row[k] or 0 for k in FIGURE_FILTERS})


def figures_for(user: Any, today: dt.date | None = None) -> Figures:
    """The figures of everything ``user`` may see, from the maintained counts (``hazards.tally``): equal to
    ``figures(Hazard.objects.visible_to(user))`` without reading a row a hazard.

    The territory and (territory × domains) arms of the scope are summed from ``HazardTally`` and ``HazardDue``;
    what an enterprise account or an explicit grant adds outside them (one enterprise, a few granted objects) is
    counted from the hazards directly."""
    from hazards.models import HazardDue, HazardTally

    today = today or timezone.localdate()
    scope = scope_for(user)
    if scope.is_empty:
        return Figures(**dict.fromkeys(FIGURE_FILTERS, 0))
    counts = dict.fromkeys(FIGURE_FILTERS, 0)
    if scope.territories or scope.domain_grants:
        cut = HazardTally.scope_q(scope)
        alive = ~Q(status=Status.VOIDED)
        major = Q(grade=Grade.MAJOR)
        # 超期数 as a scalar subquery of the same statement: the days before today (and the folded past).
        overdue = Subquery(HazardDue.objects.filter(cut, deadline__lt=today).order_by()
                           .annotate(s=Func(F("n"), function="SUM")).values("s")[:1])
        row = HazardTally.objects.filter(cut).aggregate(
            total=Sum("n", filter=alive), done=Sum("n", filter=Q(status__in=DONE_STATUSES)),
            on_time=Sum("n", filter=Q(status__in=DONE_STATUSES, on_time=True)), major=Sum("n", filter=major & alive),
            major_open=Sum("n", filter=major & Q(status__in=OPEN_STATUSES)),
            open=Sum("n", filter=Q(status__in=OPEN_STATUSES)), overdue=Max(overdue))
        counts = {k: row[k] or 0 for k in FIGURE_FILTERS}
    extra = _outside_territory(scope)
    if extra is not None:
        more = figures(extra, today)
        counts = {k: counts[k] + getattr(more, k) for k in FIGURE_FILTERS}
    return Figures(**counts)


def total_for(user: Any) -> int | None:
    """How many hazards ``user`` may see, every status: ``Hazard.objects.visible_to(user).count()`` from the
    maintained counts (the unfiltered list's total, see ``core.listing.ScopedListView.scope_total``). None for a
    scope that may hold explicit grants: its list counts its rows (capped), as it does without a grant, so a grant
    never costs a list a query more (tests/test_scope_grants.py)."""
    from hazards.models import HazardTally

    scope = scope_for(user)
    if scope.is_empty:
        return 0
    if scope.grantee_id is not None:
        return None
    total = 0
    if scope.territories or scope.domain_grants:
        total = HazardTally.objects.filter(HazardTally.scope_q(scope)).aggregate(n=Sum("n"))["n"] or 0
    extra = _outside_territory(scope)
    return total + (extra.count() if extra is not None else 0)


def _outside_territory(scope: Any) -> QuerySet[Hazard] | None:
    """The hazards a scope sees through its enterprise accounts and explicit grants but not through its
    territories and domains (counted directly; the grants read once, so the count uses the indexes)."""
    from enterprises.models import Enterprise

    enterprise_ids = [*scope.enterprise_ids, *scope.granted_ids(Enterprise)]
    hazard_ids = scope.granted_ids(Hazard)
    if not enterprise_ids and not hazard_ids:
        return None
    reach = Q(enterprise_id__in=enterprise_ids) | Q(pk__in=hazard_ids)
    counted = scope.territorial_q("jurisdiction_path") | scope.domain_q("jurisdiction_path", domain_field="domain_id")
    return Hazard.objects.filter(reach).exclude(counted)


# 动态清零 groups: (the value grouped by, its name). Counted directly over the scope: the rows are the open major
# hazards only, read through the partial index ``hz_major_open`` (see ``Hazard.Meta.indexes``), never a scan of the
# scope; ``hazards/tests/test_clearance_index.py`` checks the plans use it.
CLEARANCE_GROUPS: dict[str, tuple[str, str]] = {
    "unit": ("supervisor_unit_id", "supervisor_unit__name"),
    "territory": ("jurisdiction_id", "jurisdiction__name"),
}


def clearance_rows(qs: QuerySet[Hazard], by: str, today: dt.date | None = None) -> QuerySet[Hazard]:
    """The grouped query behind ``clearance_by_unit`` / ``clearance_by_territory`` (``by``: a ``CLEARANCE_GROUPS``
    key): open major hazards of an already scoped queryset, their number and how many are overdue ``today``."""
    today = today or timezone.localdate()
    key, name = CLEARANCE_GROUPS[by]
    return (qs.filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES).values(key, name)
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(status__in=OVERDUE_STATUSES, deadline__lt=today)))
            .order_by("-open", F(name).asc(nulls_last=True)))


def clearance_cells(qs: QuerySet[Hazard], today: dt.date | None = None) -> QuerySet[Hazard]:
    """The open major hazards of an already scoped queryset per supervising unit × place: their number and how many
    are overdue ``today`` (``clearance_tables`` sums them into its two tables)."""
    today = today or timezone.localdate()
    fields = [f for key_name in CLEARANCE_GROUPS.values() for f in key_name]
    return (qs.filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES).values(*fields).order_by()
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(status__in=OVERDUE_STATUSES, deadline__lt=today))))


def clearance_tables(qs: QuerySet[Hazard], today: dt.date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Both 动态清零 tables of a page ({"unit": rows, "territory": rows}, each as ``clearance_by_unit`` /
    ``clearance_by_territory`` returns it, which stay as the direct variants the tests compare with) from one
    grouped query by unit × place: the open major hazards of the scope are read once, not once a table."""
    cells = list(clearance_cells(qs, today))
    out: dict[str, list[dict[str, Any]]] = {}
    for by, (key, name) in CLEARANCE_GROUPS.items():
        groups: dict[Any, dict[str, Any]] = {}
        for cell in cells:
            row = groups.setdefault(cell[key], {key: cell[key], name: cell[name], "open": 0, "overdue": 0})
            row["open"] += cell["open"]
            row["overdue"] += cell["overdue"]
        # The order of the grouped queries: most open first, then by name, no name last.
        out[by] = sorted(groups.values(), key=lambda r, name=name: (-r["open"], r[name] is None, r[name] or ""))
    return out


def clearance_by_unit(qs: QuerySet[Hazard], today: dt.date | None = None) -> list[dict[str, Any]]:
    """动态清零: open major hazards grouped by their supervising unit, one grouped query."""
    return list(clearance_rows(qs, "unit", today))


def clearance_by_territory(qs: QuerySet[Hazard], today: dt.date | None = None) -> list[dict[str, Any]]:
    return list(clearance_rows(qs, "territory", today))


# -- statistics periods (16号令第十四条) -----------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    quarter: int  # 0 for the year

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.kind == PeriodKind.YEAR else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.kind == PeriodKind.YEAR:
            return dt.date(self.year, 12, 31)
        nxt = dt.date(self.year + (self.quarter == 4), 1 if self.quarter == 4 else 3 * self.quarter + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def due(self) -> dt.date:
        # 下一季度15日前 (the 15th of the month after the quarter); 下一年1月31日前.
        if self.kind == PeriodKind.YEAR:
            return dt.date(self.year + 1, 1, 31)
        return self.end + dt.timedelta(days=15)

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.kind == PeriodKind.QUARTER else f"{self.year}年度"


def last_closed_periods(today: dt.date) -> list[Period]:
    """The periods whose report is due next or was due last: the previous quarter and (in January) the year."""
    q = (today.month - 1) // 3 + 1
    prev = Period(PeriodKind.QUARTER, today.year, q - 1) if q > 1 else Period(PeriodKind.QUARTER, today.year - 1, 4)
    out = [prev, Period(PeriodKind.YEAR, today.year - 1, 0)]
    return out


def statistics(qs: QuerySet[Hazard], period: Period) -> dict[str, dict[str, int]]:
    """The 统计分析表: found / rectified / in progress / overdue, by grade, for one period.

    found = found in the period; rectified = of those, rectification accepted by the period's end;
    in progress = of those, still open at the end (not voided); overdue = of those open, past deadline."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.max))
    base = qs.filter(found_at__gte=start, found_at__lte=end).exclude(status=Status.VOIDED)
    done = Q(accepted_at__isnull=False, accepted_at__lte=end)
    overdue = ~done & Q(deadline__lt=period.end)
    result: dict[str, dict[str, int]] = {}
    for grade in (Grade.GENERAL, Grade.MAJOR, None):
        sub = base.filter(grade=grade) if grade else base.filter(grade__isnull=True)
        row = sub.aggregate(found=Count("pk"), rectified=Count("pk", filter=done),
                            in_progress=Count("pk", filter=~done), overdue=Count("pk", filter=overdue))
        result[grade or "unassessed"] = {k: row[k] or 0 for k in ("found", "rectified", "in_progress", "overdue")}
    result["total"] = {k: sum(result[g][k] for g in ("general", "major", "unassessed"))
                       for k in ("found", "rectified", "in_progress", "overdue")}
    return result
