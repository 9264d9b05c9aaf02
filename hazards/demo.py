"""Demo hazards for the demo enterprises, built through the services (``manage.py load_demo_hazards``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hazards import services
from hazards.choices import Grade, Source, Status, SupervisionLevel
from hazards.models import Hazard
from hazards.supervision import supervision_list
from orgs.models import Domain, Jurisdiction, Unit

MARK = "【演示】"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc0\x39\x2b" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png(), content_type="image/png")


def _plan(hazard: Hazard, days_from: dt.date, days: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "responsible_person": "陈安全", "responsible_phone": "13807320000", "measures": "停用、检修并更换受损部件",
        "funds": 8000, "deadline": days_from + dt.timedelta(days=days), "interim_measures": "设置警戒线，专人值守",
        "acceptor": "设备部 王工"}
    if hazard.grade == Grade.MAJOR:
        values.update(goal="消除煤气管道泄漏隐患，恢复安全运行", methods="分段停气、更换腐蚀管段、全线检测",
                      funds_materials="专项资金35万元已列支，管材已到货", organization="设备能源部牵头，6人治理专班",
                      time_requirements="45日内完成，完成后委托评价机构评估", safety_plan="停气区域隔离，配备便携式CO报警仪，"
                      "执行《煤气泄漏专项应急预案》")
    return values


@transaction.atomic
def load_demo_hazards() -> list[str]:
    lines: list[str] = []
    if Hazard.objects.filter(description__startswith=MARK).exists():
        return ["演示隐患已存在，跳过。"]
    users = {u.username: u for u in User.objects.filter(username__in=["qiye", "qiye2", "yingji", "dongshan", "zhifa"])
             .select_related("unit", "enterprise")}
    missing = {"qiye", "qiye2", "yingji", "dongshan", "zhifa"} - set(users)
    if missing:
        return [f"缺少演示账号 {'、'.join(sorted(missing))}，无法加载演示隐患（请先运行 load_demo）。"]
    now = timezone.now()
    today = timezone.localdate()
    past = today - dt.timedelta(days=40)
    qiye, qiye2, yingji, dongshan, zhifa = (users[k] for k in ("qiye", "qiye2", "yingji", "dongshan", "zhifa"))

    # 1. A general hazard of the steel works, in rectification and overdue (planned 40 days ago, 20-day limit).
    h1 = services.hazard_register(actor=qiye, description=f"{MARK}轧钢车间行车限位器失灵", source=Source.SELF_CHECK,
                                  location="轧钢车间2号行车", found_at=now - dt.timedelta(days=40), grade=Grade.GENERAL,
                                  criterion="起重机械安全规程", criterion_ref="GB/T 6067.1-2010 第9.2条", today=past)
    services.plan_save(actor=qiye, hazard=h1, today=past, **_plan(h1, past, 20))
    services.hazard_transition(hazard=h1, to=Status.PLANNED, actor=qiye)
    services.hazard_transition(hazard=h1, to=Status.RECTIFYING, actor=qiye)
    lines.append(f"一般隐患（已超期）：{h1.number}")

    # 2. A major hazard of the steel works, reported, with its 治理方案, listed for supervision.
    h2 = services.hazard_register(
        actor=qiye, description=f"{MARK}高炉煤气管道腐蚀减薄，存在泄漏风险", source=Source.SELF_CHECK,
        location="炼铁厂煤气管网3号支管", found_at=now - dt.timedelta(days=10), grade=Grade.MAJOR,
        criterion="工贸行业重大事故隐患判定标准", criterion_ref="工贸行业重大事故隐患判定标准 冶金第（五）项",
        report_cause="管道服役超过20年，外壁腐蚀，测厚显示局部减薄超过30%",
        report_analysis="一旦泄漏可致煤气中毒、爆炸，影响周边作业人员约60人；需分段停气更换，整改难度较大",
        photos=[_photo("before.png")], today=today - dt.timedelta(days=10))
    services.plan_save(actor=qiye, hazard=h2, **_plan(h2, today, 45))
    services.hazard_transition(hazard=h2, to=Status.PLANNED, actor=qiye)
    services.hazard_transition(hazard=h2, to=Status.RECTIFYING, actor=qiye)
    supervision_list(actor=yingji, hazard=h2, level=SupervisionLevel.COUNTY, supervising_unit=yingji.unit,
                     deadline=today + dt.timedelta(days=45), document_number="湘应急督〔2026〕1号",
                     requirements="每周报送治理进展；治理期间停用相关管段")
    lines.append(f"重大隐患（挂牌督办）：{h2.number}")

    # 3. A general hazard of the building-materials works, fixed on the spot with before/after photos.
    h3 = services.hazard_register(actor=qiye2, description=f"{MARK}配电室门口堆放杂物", source=Source.SELF_CHECK,
                                  location="1号配电室", found_at=now - dt.timedelta(days=3))
    services.hazard_attach(actor=qiye2, hazard=h3, file=_photo("before.png"), role="before")
    services.hazard_attach(actor=qiye2, hazard=h3, file=_photo("after.png"), role="after")
    services.hazard_transition(hazard=h3, to=Status.CLOSED, actor=qiye2, result="当场清理完毕")
    lines.append(f"立查立改：{h3.number}")

    # 4. Found by the inspector at the building-materials works; rectified, awaiting his acceptance.
    h4 = services.hazard_register(actor=zhifa, enterprise=qiye2.enterprise, description=f"{MARK}球磨机传动部位防护罩缺失",
                                  source=Source.GOVERNMENT, location="粉磨车间", found_at=now - dt.timedelta(days=8),
                                  grade=Grade.GENERAL, deadline=today + dt.timedelta(days=7),
                                  today=today - dt.timedelta(days=8))
    services.plan_save(actor=qiye2, hazard=h4, **_plan(h4, today, 5))
    services.hazard_transition(hazard=h4, to=Status.PLANNED, actor=qiye2)
    services.hazard_transition(hazard=h4, to=Status.RECTIFYING, actor=qiye2)
    services.hazard_transition(hazard=h4, to=Status.APPLIED, actor=qiye2, result="已加装防护罩并张贴警示标志")
    lines.append(f"待执法人员验收：{h4.number}")

    # 5. A place without an enterprise: a road section found by the subdistrict, overdue.
    road = Jurisdiction.objects.filter(name="东山街道").first()
    domain = Domain.objects.filter(code="D4").first()
    if road is not None and domain is not None:
        h5 = services.hazard_register(actor=dongshan, jurisdiction=road, domain=domain, place="东山路与工业路交叉口",
                                      description=f"{MARK}路口减速带损坏、警示标志缺失", source=Source.PUBLIC_REPORT,
                                      reporter="群众电话举报", found_at=now - dt.timedelta(days=30),
                                      deadline=past + dt.timedelta(days=15), grade=Grade.GENERAL, today=past)
        services.plan_save(actor=dongshan, hazard=h5, today=past, **{**_plan(h5, past, 15),
                                                                      "responsible_person": "周东山"})
        services.hazard_transition(hazard=h5, to=Status.PLANNED, actor=dongshan)
        lines.append(f"无企业场所隐患（已超期）：{h5.number}")
    else:
        lines.append("未找到“东山街道”或道路运输领域（D4），跳过路段隐患。")
    if not Unit.objects.filter(name="市应急管理局").exists():
        lines.append("未找到市应急管理局，重大隐患的监管部门可能未确定。")
    return lines
