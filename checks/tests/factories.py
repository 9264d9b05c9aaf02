from __future__ import annotations

import uuid
from typing import Any

from checks import services
from checks.choices import ItemType
from checks.loaders import DATA, load_checklists
from checks.models import Checklist, Premises
from hazards.tests.factories import photo
from orgs.models import Domain, Jurisdiction


def library() -> None:
    load_checklists()


def seed_list(key: str) -> Checklist:
    if not Checklist.objects.filter(key=key).exists():
        load_checklists([DATA / "seed" / f"{key}.json"])
    return Checklist.objects.get(key=key, enterprise__isnull=True)


def standard(key: str, version: str) -> Checklist:
    if not Checklist.objects.filter(key=key, version=version).exists():
        load_checklists([DATA / "standards" / f"{key}-{version}.json"])
    return Checklist.objects.get(key=key, version=version, enterprise__isnull=True)


def own_list(world: Any, *, items: int = 3, title: str = "叉车日常检查表") -> Checklist:
    office = world.user("office")
    checklist = services.checklist_publish(actor=office, title=title, version="2026",
                                           domains=[Domain.objects.get(code="D12")])
    for n in range(1, items + 1):
        services.item_save(actor=office, checklist=checklist, text=f"检查项{n}：防护装置完好", item_type=ItemType.YES_NO,
                           photo_required=False)
    return checklist


def shop(world: Any, *, name: str = "东山路12号门店") -> Premises:
    return services.premises_create(actor=world.user("township_a"), name=name, address="东山街道东山路12号",
                                    jurisdiction=Jurisdiction.objects.get(name="东山街道"),
                                    domain=Domain.objects.get(code="D3"))


def fail(item: Any, **extra: Any) -> services.ResultInput:
    return services.ResultInput(item=item.pk, outcome="fail", disposal="hazard", photos=[photo()], **extra)


def new_uuid() -> str:
    return str(uuid.uuid4())
