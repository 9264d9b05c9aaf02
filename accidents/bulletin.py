"""The monthly 事故警示通报: its figures (from a scoped queryset) and the context of its Word document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accidents.choices import AccidentType, WarningRange
from accidents.selectors import Comparison, change, in_month, month_comparison
from accidents.warnings import FIRE_WARNING_RULES

CN_NUMBERS = "一二三四五六七八九十"


@dataclass
class BulletinData:
    year: int
    month: int
    comparison: Comparison
    cases: list[Any]
    fires: list[tuple[Any, str]]


def bulletin_data(qs: QuerySet, year: int, month: int) -> BulletinData:
    """``qs`` went through ``visible_to``: the bulletin counts what its reader may see, nothing else."""
    month_qs = in_month(qs, year, month).select_related("jurisdiction", "domain", "enterprise").order_by("occurred_at", "pk")
    cases = list(month_qs.filter(typical=True).prefetch_related("findings"))
    fires = [(a, a.fire_warning()) for a in month_qs.filter(accident_type=AccidentType.FIRE)]
    return BulletinData(year=year, month=month, comparison=month_comparison(qs, year, month), cases=cases,
                        fires=fires)


def _cell(cell: dict[str, int]) -> str:
    return f"{cell['count']}起/{cell['deaths']}人"


def _row(name: str, cells: list[dict[str, int]]) -> dict[str, str]:
    row = {"name": name, "change": change(cells[0]["count"], cells[1]["count"])}
    row.update({f"y{i}": _cell(c) for i, c in enumerate(cells)})
    return row


def _date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _case_title(accident: Any) -> str:
    place = accident.enterprise.name if accident.enterprise_id else accident.address
    day = accident.occurred_on
    return f"{accident.jurisdiction.name}{place}“{day.month}·{day.day}”{accident.get_accident_type_display()}事故"


def _number(i: int) -> str:
    return CN_NUMBERS[i - 1] if 1 <= i <= 10 else str(i)


def summary_text(data: BulletinData) -> str:
    c = data.comparison
    now, last = c.total[0], c.total[1]
    three = sum(t["count"] for t in c.total[1:])
    three_deaths = sum(t["deaths"] for t in c.total[1:])
    return (f"{data.year}年{data.month}月，共发生生产安全事故{now['count']}起、死亡{now['deaths']}人；"
            f"去年同期{last['count']}起、死亡{last['deaths']}人，起数同比{change(now['count'], last['count'])}；"
            f"近三年同期（{c.years[3]}—{c.years[1]}年{data.month}月）合计{three}起、死亡{three_deaths}人。")


def context(data: BulletinData, *, tasks: str, issuer: str, today: dt.date) -> dict[str, Any]:
    c = data.comparison
    reasons = {str(r): str(label) for r, label in FIRE_WARNING_RULES}
    cases = []
    for i, a in enumerate(data.cases, 1):
        findings = "；".join(f"{f.masked_name}（{f.position}）：{f.responsibility}" if f.position
                            else f"{f.masked_name}：{f.responsibility}" for f in a.findings.all())
        cases.append({"number": _number(i), "title": _case_title(a),
                      "text": f"{_date(a.occurred_on)}，{a.summary} 事故造成{a.deaths}人死亡、{a.serious_injuries}人重伤、"
                              f"{a.injuries}人轻伤，直接经济损失{a.direct_loss}万元，为{a.get_grade_display()}。",
                      "cause": a.cause or "正在调查中。", "findings": findings or "正在调查中。"})
    lines = [line.strip() for line in (tasks or "").splitlines() if line.strip()]
    return {
        "doc": {"title": "生产安全事故警示通报", "issue": f"{data.year}年第{data.month}期", "issuer": issuer,
                "date": _date(today)},
        "period": {"label": f"{data.year}年{data.month}月"},
        "summary": {"text": summary_text(data)},
        "cols": {f"y{i}": f"{y}年{data.month}月" for i, y in enumerate(c.years)},
        "total": [_row("合计", c.total)],
        "domains": [_row(r["domain"].name, r["cells"]) for r in c.by_domain],
        "towns": [_row(r["name"], r["cells"]) for r in c.by_township],
        "cases": cases,
        "fires": [{"title": f"{a.occurred_on.month}月{a.occurred_on.day}日 {a.jurisdiction.name}{a.where}火灾",
                   "range": str(WarningRange(r).label), "reason": reasons.get(r, "")} for a, r in data.fires],
        "tasks": [{"text": line} for line in lines] or [{"text": "（待安委办填写）"}],
    }
