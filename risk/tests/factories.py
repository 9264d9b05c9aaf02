from __future__ import annotations

from typing import Any

from risk import services
from risk.choices import MeasureKind, Method
from risk.models import RiskPoint

# inputs giving each grade with the default schemes
LEC_FOR = {"red": {"l": 6, "e": 6, "c": 15}, "orange": {"l": 3, "e": 6, "c": 15},
           "yellow": {"l": 1, "e": 6, "c": 15}, "blue": {"l": 1, "e": 3, "c": 7}}


def make_point(enterprise: Any, grade: str = "yellow", *, name: str = "", kind: str = "area",
               measures: bool = True, **values: Any) -> RiskPoint:
    point = services.risk_point_create(actor=None, enterprise=enterprise, kind=kind,
                                       name=name or f"{grade}风险点", hazard_factors=["21"],
                                       accident_types=["machinery"], **values)
    services.risk_point_assess(actor=None, risk_point=point, method=Method.LEC, inputs=LEC_FOR[grade])
    if measures:
        services.measure_add(actor=None, risk_point=point, kind=MeasureKind.ENGINEERING, level="post",
                             content=f"{point.name}设置防护罩", responsible="张三")
    point.refresh_from_db()
    return point
