"""Figures of the enforcement module per department and per township, counted only from what the viewer sees
(``visible_to``): 检查户次, 重点 vs 双随机, coverage of the plan, hazards found per inspection, 四不两直 share,
penalties and amounts, repeat offenders (two or more penalty decisions in a year); and the same for a period, as
the 执法检查 section of the monthly / annual report (``report_section``, registered with
campaigns.report_sections)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from enforcement.choices import FindingResult, InspectionOrigin, InspectionStatus, PlanMode
from enforcement.models import AnnualPlan, Case, Finding, Inspection
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
            planned[plan.department_id] += _planned(row)
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


def period_figures(user: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The figures of a period (the monthly/annual report): inspections begun in it, penalty decisions made in it,
    the coverage of the year's plans by the end of it, repeat offenders in the year before its end. Every count
    from ``visible_to(user)``."""
    done = Inspection.objects.visible_to(user).filter(status__in=DONE)
    inspections = done.filter(started_at__date__gte=start, started_at__date__lte=end)
    agg = inspections.aggregate(
        n=Count("pk"), key=Count("pk", filter=Q(origin=InspectionOrigin.PLAN)),
        random=Count("pk", filter=Q(origin=InspectionOrigin.DRAW)),
        unannounced=Count("pk", filter=Q(unannounced=True)),
        targets=Count("enterprise", distinct=True))
    hazards = (Finding.objects.filter(inspection__in=inspections.values("pk"), result=FindingResult.HAZARD)
               .count())
    cases = Case.objects.visible_to(user).filter(decided_on__gte=start, decided_on__lte=end, withdrawn_at__isnull=True)
    penalties = cases.aggregate(n=Count("pk"), fines=Sum("fine_amount"), confiscated=Sum("confiscation_amount"))
    planned = 0
    for plan in AnnualPlan.objects.visible_to(user).filter(year=end.year).prefetch_related("rows__named"):
        planned += sum(_planned(row) for row in plan.rows.all())
    year_done = done.filter(started_at__date__gte=dt.date(end.year, 1, 1), started_at__date__lte=end,
                            origin__in=[InspectionOrigin.PLAN, InspectionOrigin.DRAW]).count()
    repeat = list(Case.objects.visible_to(user)
                  .filter(decided_on__gt=end - dt.timedelta(days=365), decided_on__lte=end, withdrawn_at__isnull=True)
                  .values("enterprise_id", "enterprise__name").annotate(n=Count("pk")).filter(n__gte=2)
                  .order_by("-n", "enterprise__name")[:50])
    n = agg["n"]
    return {
        "inspections": n, "key": agg["key"], "random": agg["random"], "other": n - agg["key"] - agg["random"],
        "targets": agg["targets"], "hazards": hazards, "per_inspection": round(hazards / n, 2) if n else None,
        "unannounced": agg["unannounced"], "unannounced_share": round(100 * agg["unannounced"] / n, 1) if n else None,
        "planned": planned, "plan_done": year_done,
        "coverage": round(100 * year_done / planned, 1) if planned else None,
        "penalties": penalties["n"],
        "amount": (penalties["fines"] or Decimal(0)) + (penalties["confiscated"] or Decimal(0)),
        "repeat": repeat,
    }


def _planned(row: Any) -> int:
    if row.mode == PlanMode.KEY:
        return len(row.named.all()) * row.frequency
    if row.draw_count is not None:
        return row.draw_count
    if row.draw_ratio is not None and row.population_total:
        return int((row.draw_ratio * row.population_total).to_integral_value())
    return 0


def report_section(user: Any, start: dt.date, end: dt.date) -> Any:
    """The 执法检查 section of the monthly / annual report (campaigns.report_sections); None when the reader sees
    no enforcement work at all."""
    from django.urls import reverse

    from campaigns.report_sections import ReportSection, SectionRow

    f = period_figures(user, start, end)
    if not (f["inspections"] or f["penalties"] or f["planned"] or f["repeat"]):
        return None
    inspections_url = reverse("enforcement:inspections")
    cases_url = reverse("enforcement:cases")
    figures_url = reverse("enforcement:figures")

    def pct(value: Any) -> str:
        return "—" if value is None else f"{value}%"

    rows = [
        SectionRow("检查户次", f"{f['inspections']}（{f['targets']}家企业）", inspections_url),
        SectionRow("重点检查 / 双随机抽查 / 其他", f"{f['key']} / {f['random']} / {f['other']}", inspections_url),
        SectionRow(f"年度计划覆盖率（{end.year}年计划{f['planned']}户次，截至期末完成{f['plan_done']}户次）",
                   pct(f["coverage"]), figures_url),
        SectionRow("发现隐患（条）/ 平均每次检查", f"{f['hazards']} / {'—' if f['per_inspection'] is None else f['per_inspection']}",
                   inspections_url),
        SectionRow("四不两直检查占比", pct(f["unannounced_share"]), inspections_url),
        SectionRow("行政处罚（件）/ 罚没金额（元）", f"{f['penalties']} / {f['amount']:.2f}", cases_url),
        SectionRow("一年内受到两次以上处罚的企业", "、".join(f"{r['enterprise__name']}（{r['n']}次）" for r in f["repeat"][:10])
                   or "无", cases_url),
    ]
    return ReportSection("enforcement", "执法检查", rows)
