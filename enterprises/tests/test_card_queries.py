"""The enterprise card, the credit card and the credit panel read the maintained counts: the number of statements
does not grow with the enterprises, their domains, their events or the grants (fixed personas)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import grants
from credit import services as credit_services
from credit.cards import credit_card
from credit.choices import EventKind
from credit.cockpit import credit_panel
from enterprises import services
from enterprises.cards import enterprise_card
from enterprises.credit_code import make_credit_code
from orgs.models import Domain, Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db

PERSONAS = ["office", "township_a", "regulator", "regulator_fire", "inspector", "enterprise_a", "expert"]
CARDS: list[Callable[[Any], Any]] = [enterprise_card, credit_card, credit_panel]


def _statements(world: World) -> dict[tuple[str, str], int]:
    out = {}
    for key in PERSONAS:
        for card in CARDS:
            user = world.user(key)
            user.get_scope()  # the scope is the user's, read by every page: not the card's
            with CaptureQueriesContext(connection) as ctx:
                card(user)
            out[(key, card.__name__)] = len(ctx)
    return out


def _grow(world: World, start: int, n: int) -> None:
    places = list(Jurisdiction.objects.filter(name__in=["东山街道", "山枣镇", "湘乡经济开发区"]))
    domains = list(Domain.objects.filter(code__in=["D1", "D3", "D9", "D12"]))
    office = world.user("office")
    for i in range(start, start + n):
        ent = services.enterprise_create(actor=None, name=f"查询数测试{i}有限公司",
                                         credit_code=make_credit_code(f"91430381QC{i:07d}"),
                                         jurisdiction=places[i % len(places)], domains=domains[: 1 + i % len(domains)])
        if i % 3 == 0:
            credit_services.event_register(actor=office, enterprise=ent, kind=EventKind.OBSTRUCTION,
                                           grounds="拒绝检查", occurred_on=timezone.localdate())
        if i % 5 == 0:
            grants.grant_create(actor=office, obj=ent, reason="抽查任务",
                                valid_until=timezone.now() + dt.timedelta(days=3), user=world.user("expert"))


def test_home_cards_do_not_grow_with_data(world: World, django_assert_max_num_queries: Any) -> None:
    _grow(world, 0, 10)  # every kind of scope has something to count (the expert a grant)
    before = _statements(world)
    _grow(world, 10, 30)
    after = _statements(world)
    assert after == before
    for key in PERSONAS:
        for card in CARDS:
            with django_assert_max_num_queries(8):
                card(world.user(key))
