"""Tips made through the services, for the tests."""

from __future__ import annotations

from typing import Any

from orgs.models import Jurisdiction, Unit
from tests.personas import World
from tips import services
from tips.models import Tip

NAME = "举报人王小明"
PHONE = "13912345678"


def town(name: str = "东山街道") -> Jurisdiction:
    return Jurisdiction.objects.get(name=name)


def submit(world: World | None = None, *, name: str = NAME, phone: str = PHONE, place: str = "东山街道",
           **kw: Any) -> Tip:
    values: dict[str, Any] = {"kind": "hazard", "description": "仓库里堆放大量液化气钢瓶，没有通风和报警装置。",
                              "jurisdiction": town(place), "address": f"{place}解放路12号"}
    values.update(kw)
    return services.tip_submit(name=name, phone=phone, **values)


def emergency_bureau() -> Unit:
    return Unit.objects.get(name="市应急管理局")


def to_verified(world: World, tip: Tip, *, confirmed: bool = True) -> Tip:
    tip = services.tip_transition(actor=world.user("township_a"), tip=tip, action="assign",
                                  assigned_unit=emergency_bureau())
    return services.tip_verify(actor=world.user("regulator"), tip=tip, verification="现场核查：情况属实，钢瓶12只。",
                               confirmed=confirmed)


def to_replied(world: World, tip: Tip, *, confirmed: bool = True) -> Tip:
    tip = to_verified(world, tip, confirmed=confirmed)
    return services.tip_transition(actor=world.user("regulator"), tip=tip, action="reply",
                                   reply="经核查情况属实，已责令企业立即整改。")
