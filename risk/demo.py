"""Demo risk points for 湘乡钢铁有限公司 and a couple of other demo enterprises, built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from risk import services
from risk.choices import MeasureKind, Method
from risk.models import RiskPoint

# name, kind, location, factors, accidents, method, inputs, direct, measures [(kind, level, content, person)]
STEEL: list[tuple[Any, ...]] = [
    ("煤气柜及煤气管网区域", "area", "厂区东北角煤气柜", ["22", "43"], ["poisoning", "other_expl"], Method.LEC,
     {"l": 3, "e": 6, "c": 40}, "涉及煤气（一氧化碳）大量存储，构成重大危险源",
     [(MeasureKind.ENGINEERING, "company", "设置固定式一氧化碳检测报警仪并联锁切断", "李建国"),
      (MeasureKind.MANAGEMENT, "company", "煤气区域作业实行危险作业审批，双人作业一人监护", "王志强"),
      (MeasureKind.EMERGENCY, "workshop", "配备空气呼吸器，每半年开展一次煤气泄漏应急演练", "赵磊")]),
    ("炼钢转炉平台", "area", "炼钢车间二层平台", ["21", "12"], ["burn", "other_expl"], Method.LEC,
     {"l": 3, "e": 6, "c": 15}, "",
     [(MeasureKind.ENGINEERING, "workshop", "转炉设置防喷溅挡板及事故紧急排放设施", "刘洋"),
      (MeasureKind.PPE, "post", "作业人员穿戴阻燃服、防护面罩", "张伟")]),
    ("行车（桥式起重机）作业", "operation", "炼钢车间跨间", ["21", "12"], ["lifting", "struck"], Method.LS,
     {"l": 3, "s": 4}, "",
     [(MeasureKind.TRAINING, "team", "行车工持证上岗，每班开展班前安全讲话", "陈刚"),
      (MeasureKind.MANAGEMENT, "team", "吊运熔融金属前检查吊具、制动器", "陈刚")]),
    ("轧钢机操作岗", "post", "轧钢车间主控台", ["21", "11"], ["machinery"], Method.LEC,
     {"l": 1, "e": 6, "c": 15}, "",
     [(MeasureKind.ENGINEERING, "post", "轧机设置急停按钮和防护罩", "周敏"),
      (MeasureKind.TRAINING, "post", "新员工三级安全教育后方可独立上岗", "周敏"),
      (MeasureKind.EMERGENCY, "post", "发生卷入事故立即按下急停并报告班长", "周敏")]),
    ("配电室", "area", "厂区配电房", ["21"], ["electric", "fire"], Method.LS, {"l": 2, "s": 3}, "",
     [(MeasureKind.MANAGEMENT, "team", "配电室实行操作票、工作票制度", "黄军")]),
    ("仓库叉车作业", "operation", "成品库", ["12", "31"], ["vehicle"], Method.LS, {"l": 2, "s": 2}, "",
     [(MeasureKind.PPE, "post", "叉车司机佩戴安全帽、穿反光背心", "吴斌")]),
]
OTHERS: dict[str, list[tuple[Any, ...]]] = {
    "湘乡市山枣建材有限公司": [
        ("破碎机作业", "operation", "破碎车间", ["21"], ["machinery"], Method.LEC, {"l": 3, "e": 6, "c": 7}, "",
         [(MeasureKind.ENGINEERING, "workshop", "破碎机进料口设置防护栏", "邓华")]),
        ("粉料仓", "equipment", "粉磨车间", ["21", "22"], ["other_expl", "poisoning"], Method.LS, {"l": 2, "s": 4},
         "", [(MeasureKind.MANAGEMENT, "workshop", "进入料仓实行有限空间作业审批", "邓华")]),
    ],
    "湘乡市东山化工有限公司": [
        ("氯化反应釜", "equipment", "一车间", ["22"], ["poisoning", "vessel"], Method.LS, {"l": 3, "s": 5}, "",
         [(MeasureKind.ENGINEERING, "company", "反应釜温度、压力联锁及紧急切断", "孙强")]),
    ],
}
# Demo coordinates (湘乡市), for enterprises the demo registry left without any.
COORDS = {"湘乡钢铁有限公司": ("112.545000", "27.741000"), "湘乡市山枣建材有限公司": ("112.470000", "27.690000"),
          "湘乡市东山化工有限公司": ("112.556000", "27.752000")}


def _build(enterprise: Any, rows: list[tuple[Any, ...]], today: dt.date) -> int:
    n = 0
    for name, kind, location, factors, accidents, method, inputs, direct, measures in rows:
        point = services.risk_point_create(
            actor=None, enterprise=enterprise, kind=kind, name=name, location=location, hazard_factors=factors,
            accident_types=accidents, responsible=measures[0][3], review_date=today + dt.timedelta(days=180),
            emergency_actions="立即停止作业，切断电源、气源\n撤离现场人员至安全区域\n报告班长和安全管理人员，拨打应急电话",
            duties="严格执行本岗位操作规程\n班前检查设备和防护设施\n发现隐患立即报告" if kind == "post" else "")
        services.risk_point_assess(actor=None, risk_point=point, method=method,
                                   inputs={k: Decimal(str(v)) for k, v in inputs.items()},
                                   direct_major=bool(direct), direct_reason=direct, reason="首次辨识评估")
        for mk, level, content, person in measures:
            services.measure_add(actor=None, risk_point=point, kind=mk, level=level, content=content,
                                 responsible=person)
        n += 1
    return n


def _link_open_hazard(enterprise: Any) -> str:
    """Tie one open hazard of the enterprise to its red point, so the highlight shows in the demo."""
    try:
        from hazards.models import Hazard
    except ImportError:
        return "隐患模块不可用，未关联隐患。"
    red = RiskPoint.objects.filter(enterprise=enterprise, grade="red").first()
    hazard = Hazard.objects.open().filter(enterprise=enterprise, risk_link__isnull=True).order_by("pk").first()
    if red is None or hazard is None:
        return ""
    services.hazard_link(actor=None, risk_point=red, hazard=hazard)
    return f"{enterprise.name}：红色风险点“{red.name}”关联了未销号隐患 {hazard.number}。"


def load_demo_risk(today: dt.date | None = None) -> Iterator[str]:
    from enterprises import services as enterprise_services
    from enterprises.models import Enterprise

    today = today or timezone.localdate()
    for name, rows in [("湘乡钢铁有限公司", STEEL), *OTHERS.items()]:
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            yield f"未找到演示企业“{name}”，跳过其风险点。"
            continue
        if RiskPoint.objects.filter(enterprise=enterprise).exists():
            yield f"{name} 已有风险点，跳过。"
            continue
        if enterprise.longitude is None and name in COORDS:
            lon, lat = COORDS[name]
            enterprise_services.enterprise_update(actor=None, enterprise=enterprise, longitude=Decimal(lon),
                                                  latitude=Decimal(lat))
        n = _build(enterprise, rows, today)
        line = _link_open_hazard(enterprise)
        if line:
            yield line
        if name != "湘乡钢铁有限公司":  # the steel works' first report is left to the demo user (qiye)
            services.report_submit(actor=None, enterprise=enterprise, note="首次报告")
        yield f"{name}：已建立 {n} 个风险点。"
