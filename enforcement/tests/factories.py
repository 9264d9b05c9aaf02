"""Test data for the enforcement module, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts import services as account_services
from accounts.choices import Role
from accounts.models import User
from enforcement import services
from enforcement.models import Inspector
from orgs.models import Unit
from tests.personas import PASSWORD, World

OPERATOR_SECRET = "operator-2026-secret"
WITNESS_SECRET = "witness-2026-secret"


def inspector_user(username: str, unit_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(actor=None, username=username, password=PASSWORD,
                                            full_name=f"测试{username}", unit=Unit.objects.get(name=unit_name),
                                            must_change_password=False)
        account_services.role_grant(actor=None, user=user, role=Role.INSPECTOR)
    return User.objects.select_related("unit").get(pk=user.pk)


def roster(world: World, count: int = 4, *, prefix: str = "应急") -> list[Inspector]:
    """Inspectors of 市应急管理局: the persona ``inspector`` first, then others without accounts."""
    actor = world.user("regulator")
    valid = timezone.localdate() + dt.timedelta(days=365)
    out = [services.inspector_create(actor=actor, name="测试inspector", cert_number=f"{prefix}-0",
                                     cert_valid_until=valid, user=world.user("inspector"))]
    for k in range(1, count):
        out.append(services.inspector_create(actor=actor, name=f"{prefix}检查员{k}", cert_number=f"{prefix}-{k}",
                                             cert_valid_until=valid))
    return out


def commit(world: World, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": world.user("regulator"), "title": "2026年第一批双随机抽查", "strata": "all=2",
        "stratify": "all", "public_source": "2026年12月1日上证综指收盘点位", "operator_secret": OPERATOR_SECRET,
        "witness_name": "纪检监察员", "witness_secret": WITNESS_SECRET}
    values.update(overrides)
    return services.draw_commit(**values)


def execute(world: World, draw: Any, *, public_value: str = "3391.27") -> Any:
    return services.draw_execute(actor=world.user("regulator"), draw=draw, public_value=public_value,
                                 operator_secret=OPERATOR_SECRET, witness_secret=WITNESS_SECRET)
