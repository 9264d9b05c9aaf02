"""Is checking happening? The figures of a period, per enterprise, township or domain, counted only from what the
viewer sees (``visible_to``), each one a link to the runs or due checks behind it.

The counts are read from the daily rollup ``CheckDay`` (summed over the days of the period); only 覆盖率, distinct
risk points, is counted from the due checks. Definitions (for due checks due from ``start`` to ``end``, and runs performed in those days):

* a due check *counts* once its date has passed, or earlier when it is already done (today's open checks are not
  yet missed);
* 计划完成率 — done / counted; 按时完成率 — done by the due date / counted; missed — counted and not done;
* 覆盖率 — risk points with at least one due check done on time / risk points with a counted due check;
* 隐患发现率 — submitted runs with at least one failed item / submitted runs;
* hazards per 100 checks — 100 × failed items (each one a hazard or a 立查立改 record) / submitted runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from checks.choices import RunStatus
from checks.models import CheckDay, CheckRun, DueCheck

GROUPS = ("enterprise", "township", "domain")
TOWNSHIP_LEVELS = ("township", "subdistrict", "park")


@dataclass
class Figures:
    key: Any = None
    label: str = ""
    due: int = 0
    done: int = 0
    on_time: int = 0
    points: int = 0
    points_covered: int = 0
    runs: int = 0
    runs_finding: int = 0
    failures: int = 0
    hazards: int = 0
    fixes: int = 0
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def missed(self) -> int:
        return self.due - self.done

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @staticmethod
    def _rate(a: int, b: int) -> float | None:
        return round(100 * a / b, 1) if b else None

    @property
    def completion_rate(self) -> float | None:
        return self._rate(self.done, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.due)

    @property
    def coverage(self) -> float | None:
        return self._rate(self.points_covered, self.points)

    @property
    def finding_rate(self) -> float | None:
        return self._rate(self.runs_finding, self.runs)

    @property
    def per_100(self) -> float | None:
        return self._rate(self.failures, self.runs)

    def add(self, other: Figures) -> None:
        for name in ("due", "done", "on_time", "points", "points_covered", "runs", "runs_finding", "failures",
                     "hazards", "fixes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def counted_due(user: Any, start: dt.date, end: dt.date, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return (DueCheck.objects.visible_to(user).filter(due_on__gte=start, due_on__lte=end)
            .filter(Q(due_on__lt=today) | Q(run__isnull=False)))


def submitted_runs(user: Any, start: dt.date, end: dt.date) -> QuerySet:
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return CheckRun.objects.visible_to(user).filter(status=RunStatus.SUBMITTED, performed_at__gte=lo,
                                                    performed_at__lt=hi)


_KEYS = {"enterprise": ("enterprise_id", "premises_id"), "township": ("jurisdiction_id",), "domain": ("domain_id",),
         None: ()}


def figures(user: Any, start: dt.date, end: dt.date, *, group: str | None = None,
            today: dt.date | None = None) -> list[Figures]:
    """One ``Figures`` per group (or one in all); the sums of the groups equal the totals."""
    keys = _KEYS[group]
    today = today or timezone.localdate()
    due = counted_due(user, start, end, today)
    out: dict[Any, Figures] = {}

    def slot(row: dict[str, Any]) -> Figures:
        key = tuple(row[k] for k in keys)
        return out.setdefault(key, Figures(key=key))

    def grouped(qs: QuerySet, **aggregates: Any) -> list[dict[str, Any]]:
        # Without a group, one row of totals (``values()`` with no field would group by every column).
        return list(qs.values(*keys).annotate(**aggregates)) if keys else [qs.aggregate(**aggregates)]

    # The counts from the daily rollup: due checks by their due day (a day from today on counts only what is
    # done), runs by the day they were performed.
    days = CheckDay.objects.visible_to(user).filter(day__gte=start, day__lte=end)
    for row in grouped(days,
            past=Sum("due", filter=Q(day__lt=today)), ahead=Sum("done", filter=Q(day__gte=today)),
            d=Sum("done"), t=Sum("on_time"), n=Sum("runs"), f=Sum("runs_finding"), x=Sum("failures"),
            h=Sum("hazards"), s=Sum("fixes")):
        counted, runs = (row["past"] or 0) + (row["ahead"] or 0), row["n"] or 0
        if not counted and not runs:
            continue
        f = slot(row)
        f.due, f.done, f.on_time = counted, row["d"] or 0, row["t"] or 0
        f.runs, f.runs_finding = runs, row["f"] or 0
        f.failures, f.hazards, f.fixes = row["x"] or 0, row["h"] or 0, row["s"] or 0
    # 覆盖率 counts distinct risk points, which days cannot sum: read from the due checks.
    pts = due.filter(risk_point__isnull=False)
    for row in grouped(pts, p=Count("risk_point", distinct=True)):
        if row["p"]:
            slot(row).points = row["p"]
    covered = pts.filter(run__isnull=False, done_on__lte=F("due_on"))
    for row in grouped(covered, p=Count("risk_point", distinct=True)):
        if row["p"]:
            slot(row).points_covered = row["p"]
    groups = list(out.values())
    if group == "township":
        groups = _by_township(groups)
    _label(groups, group)
    return sorted(groups, key=lambda f: (f.label, str(f.key)))


def rollup_totals(user: Any, start: dt.date, end: dt.date, today: dt.date | None = None) -> Figures:
    """The period's totals from the daily rollup alone (one aggregate over ``CheckDay``, no due check read): what the
    cockpit shows; 覆盖率 (distinct risk points) is left to the figures page."""
    today = today or timezone.localdate()
    row = CheckDay.objects.visible_to(user).filter(day__gte=start, day__lte=end).aggregate(
        past=Sum("due", filter=Q(day__lt=today)), ahead=Sum("done", filter=Q(day__gte=today)), d=Sum("done"),
        t=Sum("on_time"), n=Sum("runs"), f=Sum("runs_finding"), x=Sum("failures"), h=Sum("hazards"), s=Sum("fixes"))
    return Figures(label="合计", due=(row["past"] or 0) + (row["ahead"] or 0), done=row["d"] or 0,
                   on_time=row["t"] or 0, runs=row["n"] or 0, runs_finding=row["f"] or 0, failures=row["x"] or 0,
                   hazards=row["h"] or 0, fixes=row["s"] or 0)


def totals(groups: list[Figures]) -> Figures:
    total = Figures(label="合计")
    for f in groups:
        total.add(f)
    return total


def _by_township(groups: list[Figures]) -> list[Figures]:
    from orgs.models import Jurisdiction

    ids = {f.key[0] for f in groups}
    paths = dict(Jurisdiction.objects.filter(pk__in=ids).values_list("pk", "path"))
    ancestors = {int(p) for path in paths.values() for p in path.strip("/").split("/") if p}
    townships = set(Jurisdiction.objects.filter(pk__in=ancestors, level__in=TOWNSHIP_LEVELS)
                    .values_list("pk", flat=True))
    out: dict[Any, Figures] = {}
    for f in groups:
        chain = [int(p) for p in paths.get(f.key[0], "").strip("/").split("/") if p]
        town = next((j for j in chain if j in townships), f.key[0])
        out.setdefault((town,), Figures(key=(town,))).add(f)
    return list(out.values())


def _label(groups: list[Figures], group: str | None) -> None:
    from checks.models import Premises
    from enterprises.models import Enterprise
    from orgs.models import Domain, Jurisdiction

    if group == "enterprise":
        names = dict(Enterprise.objects.filter(pk__in=[f.key[0] for f in groups if f.key[0]])
                     .values_list("pk", "name"))
        places = {p.pk: str(p) for p in Premises.objects.filter(pk__in=[f.key[1] for f in groups if f.key[1]])}
        for f in groups:
            ent, prem = f.key
            f.label = names.get(ent, "") if ent else places.get(prem, "")
            f.query = {"enterprise": ent} if ent else {"premises": prem}
    elif group == "township":
        names = dict(Jurisdiction.objects.filter(pk__in=[f.key[0] for f in groups]).values_list("pk", "name"))
        for f in groups:
            f.label, f.query = names.get(f.key[0], ""), {"jurisdiction": f.key[0]}
    elif group == "domain":
        names = {d.pk: str(d) for d in Domain.objects.filter(pk__in=[f.key[0] for f in groups])}
        for f in groups:
            f.label, f.query = names.get(f.key[0], ""), {"domain": f.key[0]}
    else:
        for f in groups:
            f.label = "合计"
