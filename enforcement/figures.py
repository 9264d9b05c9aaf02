"""Figures of the enforcement module per department and per township, counted only from what the viewer sees
(``visible_to``): 检查户次, 重点 vs 双随机, coverage of the plan, hazards found per inspection, 四不两直 share,
penalties and amounts,
repeat offenders (two or more penalty decisions in a year)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from enforcement.choices import FindingResult, InspectionOrigin, InspectionStatus, PlanMode
from enforcement.models import AnnualPlan, Case, Inspection
from orgs.models import Jurisdiction, Unit

DONE = [InspectionStatus.ONSITE, InspectionStatus.RECORDED, InspectionStatus.CLOSED]


def _township(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:2]) + "/" if len(parts) >= 2 else path


def figures(user: Any, year: int) -> dict[str, Any]:
    inspections = Inspection.objects.visible_to(user).filter(created_at__year=year, status__in=DONE)
    rows = (inspections.values("department_id", "jurisdiction_path", "origin", "unannounced")
            .annotate(n=Count("pk", distinct=True),
                      hazards=Count("findings", filter=Q(findings__result=FindingResult.HAZARD))))
    by_dept: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    by_town: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        for bucket in (by_dept[r["department_id"]], by_town[_township(r["jurisdiction_path"])]):
            bucket["inspections"] += r["n"]
            bucket["hazards"] += r["hazards"]
            if r["unannounced"]:
                bucket["unannounced"] += r["n"]
            if r["origin"] == InspectionOrigin.DRAW:
                bucket["random"] += r["n"]
            elif r["origin"] == InspectionOrigin.PLAN:
                bucket["key"] += r["n"]
            else:
                bucket["other"] += r["n"]
    cases = Case.objects.visible_to(user).filter(decided_on__year=year, withdrawn_at__isnull=True)
    for r in cases.values("department_id", "jurisdiction_path").annotate(
            n=Count("pk"), fines=Sum("fine_amount"), confiscated=Sum("confiscation_amount")):
        for bucket in (by_dept[r["department_id"]], by_town[_township(r["jurisdiction_path"])]):
            bucket["penalties"] += r["n"]
            bucket["amount"] += (r["fines"] or Decimal(0)) + (r["confiscated"] or Decimal(0))
    planned: dict[int, int] = defaultdict(int)
    for plan in AnnualPlan.objects.visible_to(user).filter(year=year).prefetch_related("rows__named"):
        for row in plan.rows.all():
            if row.mode == PlanMode.KEY:
                planned[plan.department_id] += len(row.named.all()) * row.frequency
            elif row.draw_count is not None:
                planned[plan.department_id] += row.draw_count
            elif row.draw_ratio is not None and row.population_total:
                planned[plan.department_id] += int((row.draw_ratio * row.population_total).to_integral_value())
    for dept_id, n in planned.items():
        by_dept[dept_id]["planned"] += n
    units = Unit.objects.in_bulk(list(by_dept))
    towns = {j.path: j for j in Jurisdiction.objects.filter(path__in=list(by_town))}
    since = timezone.localdate() - dt.timedelta(days=365)
    repeat = (Case.objects.visible_to(user).filter(decided_on__gte=since, withdrawn_at__isnull=True)
              .values("enterprise_id", "enterprise__name").annotate(n=Count("pk")).filter(n__gte=2).order_by("-n"))

    def finish(bucket: dict[str, Any]) -> dict[str, Any]:
        out = dict(bucket)
        n = out.get("inspections", 0)
        out["per_inspection"] = round(out.get("hazards", 0) / n, 2) if n else None
        out["unannounced_share"] = round(100 * out.get("unannounced", 0) / n, 1) if n else None
        if out.get("planned"):
            out["coverage"] = round(100 * (out.get("key", 0) + out.get("random", 0)) / out["planned"], 1)
        return out

    return {
        "departments": sorted(((units[k], finish(v)) for k, v in by_dept.items() if k in units),
                              key=lambda pair: pair[0].name),
        "townships": sorted(((towns[k], finish(v)) for k, v in by_town.items() if k in towns),
                            key=lambda pair: pair[0].path),
        "repeat": list(repeat[:50]),
    }
