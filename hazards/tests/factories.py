"""Build hazards through the services, for tests."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazards import services
from hazards.choices import Grade, Source, Status
from hazards.models import Hazard, RectificationPlan
from orgs.models import Domain, Jurisdiction

MAJOR_REPORT = {"report_cause": "储罐区防火堤破损，长期未修复", "report_analysis": "可能导致泄漏扩散，整改需停产检修"}
PLAN = {"responsible_person": "张三", "responsible_phone": "13800000000", "measures": "更换破损部件并加装防护",
        "funds": 12000, "interim_measures": "设置警戒区，专人看守", "acceptor": "李四"}
MAJOR_PLAN = {"goal": "彻底消除防火堤破损隐患", "methods": "停产检修、重新浇筑", "funds_materials": "专项资金已落实",
              "organization": "设备部牵头，5人专班", "time_requirements": "30日内完成并验收",
              "safety_plan": "停用储罐，配备应急器材，制定专项应急预案"}


def png_bytes() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def enterprise_hazard(world: Any, *, actor_key: str = "enterprise_a", enterprise_key: str = "ent_a1",
                      grade: str | None = None, source: str = Source.SELF_CHECK, **extra: Any) -> Hazard:
    values: dict[str, Any] = {"description": "配电柜前堆放杂物", "source": source}
    if grade == Grade.MAJOR:
        values.update(MAJOR_REPORT)
    values.update(extra)
    return services.hazard_register(actor=world.user(actor_key), enterprise=world.enterprises[enterprise_key],
                                    grade=grade, **values)


def place_hazard(world: Any, *, actor_key: str = "township_a", place_name: str = "东山街道", domain: str = "D12",
                 **extra: Any) -> Hazard:
    values: dict[str, Any] = {"description": "路段护栏缺失", "source": Source.GOVERNMENT, "place": "东山路K2+300"}
    values.update(extra)
    return services.hazard_register(actor=world.user(actor_key), jurisdiction=Jurisdiction.objects.get(name=place_name),
                                    domain=Domain.objects.get(code=domain), **values)


def fill_plan(world: Any, hazard: Hazard, actor_key: str = "enterprise_a", days: int = 20) -> None:
    values: dict[str, Any] = {**PLAN, "deadline": timezone.localdate() + dt.timedelta(days=days)}
    if hazard.grade == Grade.MAJOR:
        values.update(MAJOR_PLAN)
    services.plan_save(actor=world.user(actor_key), hazard=hazard, **values)


def drive_to(world: Any, hazard: Hazard, status: str, *, responsible: str = "enterprise_a") -> Hazard:
    """Walk a graded hazard along the main path up to ``status``."""
    order = [Status.ASSESSED, Status.PLANNED, Status.RECTIFYING, Status.APPLIED]
    for step in order:
        if order.index(step) <= order.index(hazard.status) if hazard.status in order else False:
            continue
        if step == Status.PLANNED:
            plan = RectificationPlan.objects.filter(hazard=hazard).first()
            if plan is None or plan.missing(major=hazard.grade == Grade.MAJOR):
                fill_plan(world, hazard, responsible)
        data: dict[str, Any] = {"result": "已清理完毕"} if step == Status.APPLIED else {}
        hazard = services.hazard_transition(hazard=hazard, to=step, actor=world.user(responsible), **data)
        if step == status:
            break
    return hazard
