"""Explicit, time-bounded grants (issue 10, item 4): a grant makes exactly its target — and the target's rows —
visible to exactly its grantee while it is live; expired or revoked, the target is a 404 again. Everything else
every persona sees stays as the scope matrix says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import grants
from accounts import services as account_services
from accounts.choices import Role
from accounts.models import ScopeGrant, User
from core.models import ChangeEvent
from enterprises import services as enterprise_services
from enterprises.models import Enterprise, Licence
from hazards.choices import Source
from hazards.models import Hazard
from hazards.services import hazard_register
from orgs.models import Domain, Unit
from risk.models import RiskPoint
from risk.tests.factories import make_point
from tests.personas import ENTERPRISES, VISIBLE, World
from tests.test_list_queries import _queries

pytestmark = pytest.mark.django_db

PERSONAS = sorted(VISIBLE)
SYSTEM = {"sysadmin", "secadmin", "auditadmin"}
TARGET = "ent_a2"  # 东山测试商场 (消防): outside the inspector's scope (市应急管理局 regulates 工贸)


def _hour(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=n)


def _rows(world: World) -> dict[str, Any]:
    """Rows of the target of each kind: a licence, a risk point (with its assessment), a hazard."""
    ent = world.enterprises[TARGET]
    licence = enterprise_services.licence_create(actor=None, enterprise=ent, kind="safety", number="授权-001")
    point = make_point(ent, "yellow")
    hazard = hazard_register(actor=world.user("township_a"), enterprise=ent, description="疏散通道堵塞",
                             source=Source.GOVERNMENT, domain=Domain.objects.get(code="D3"))
    return {"licence": licence, "point": point, "hazard": hazard}


def _visible_enterprises(world: World, user: User) -> set[str]:
    ids = set(Enterprise.objects.visible_to(user).values_list("pk", flat=True))
    return {key for key, ent in world.enterprises.items() if ent.pk in ids}


def _grant(world: World, grantee: str = "inspector", **extra: Any) -> ScopeGrant:
    values: dict[str, Any] = {"reason": "双随机抽查：东山测试商场", "valid_until": _hour(4)}
    values.update(extra)
    if "unit" not in values:
        values["user"] = world.user(grantee)
    return grants.grant_create(actor=world.user("regulator_fire"), obj=world.enterprises[TARGET], **values)


def _sees_rows(user: User, rows: dict[str, Any]) -> dict[str, bool]:
    return {"licence": Licence.objects.visible_to(user).filter(pk=rows["licence"].pk).exists(),
            "point": RiskPoint.objects.visible_to(user).filter(pk=rows["point"].pk).exists(),
            "assessment": rows["point"].assessments.model.objects.visible_to(user).filter(
                risk_point=rows["point"]).exists(),
            "hazard": Hazard.objects.visible_to(user).filter(pk=rows["hazard"].pk).exists()}


def test_a_grant_shows_exactly_its_target_and_rows_to_exactly_its_grantee(world: World) -> None:
    rows = _rows(world)
    assert TARGET not in _visible_enterprises(world, world.user("inspector"))
    grant = _grant(world, valid_from=_hour(-1))
    for persona in PERSONAS:
        user = world.user(persona)
        expected = VISIBLE[persona] | ({TARGET} if persona == "inspector" else set())
        assert _visible_enterprises(world, user) == expected, persona
        if persona == "inspector":
            assert all(_sees_rows(user, rows).values())
        elif TARGET not in VISIBLE[persona]:
            assert not any(_sees_rows(user, rows).values()), persona
    # The same user object, the grant expired in the meantime: gone at once (nothing about grants is cached).
    inspector = world.user("inspector")
    assert TARGET in _visible_enterprises(world, inspector)
    ScopeGrant.objects.filter(pk=grant.pk).update(valid_until=_hour(-0.001))
    assert TARGET not in _visible_enterprises(world, inspector)
    assert not any(_sees_rows(inspector, rows).values())


def test_pages_and_api_show_the_target_until_the_grant_is_revoked(client: Client, world: World) -> None:
    ent = world.enterprises[TARGET]
    client.force_login(world.users["inspector"])
    urls = [f"/enterprises/{ent.pk}/", f"/api/v1/enterprises/{ent.pk}/", f"/risk/enterprise/{ent.pk}/"]
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    grant = _grant(world)
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    assert ent.name in client.get("/enterprises/").content.decode()
    grants.grant_revoke(actor=world.user("regulator_fire"), grant=grant, reason="检查提前结束")
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert ent.name not in client.get("/enterprises/").content.decode()
    actions = list(ChangeEvent.objects.filter(object_type="accounts.scopegrant", object_id=str(grant.pk))
                   .values_list("action", flat=True))
    assert sorted(actions) == ["accounts.scope_grant", "accounts.scope_grant_revoke"]


def test_a_unit_grant_reaches_its_inspectors_and_experts_only(world: World) -> None:
    unit = Unit.objects.get(name="市应急管理局")
    expert = account_services.user_create(actor=None, username="grant_expert", password="Persona#2026", unit=unit,
                                          must_change_password=False)
    account_services.role_grant(actor=None, user=expert, role=Role.EXPERT)
    _grant(world, unit=unit)
    assert TARGET in _visible_enterprises(world, world.user("inspector"))
    assert _visible_enterprises(world, User.objects.get(pk=expert.pk)) == {TARGET}
    assert TARGET not in _visible_enterprises(world, world.user("regulator"))  # same unit, a role never granted


def test_who_may_grant_and_to_whom(world: World) -> None:
    target = world.enterprises[TARGET]
    for grantor in ("township_a", "regulator", "inspector", "enterprise_a"):  # no role, or not in their own reach
        with pytest.raises(PermissionDenied):
            grants.grant_create(actor=world.user(grantor), obj=target, user=world.user("inspector"),
                                reason="越权授权", valid_until=_hour(2))
    _grant(world)
    with pytest.raises(PermissionDenied):  # a grant is not passed on
        grants.grant_create(actor=world.user("inspector"), obj=target, user=world.user("expert"), reason="转授",
                            valid_until=_hour(2))
    for grantee in ("township_b", "enterprise_b", "sysadmin"):
        with pytest.raises(ValidationError):
            _grant(world, grantee)
    with pytest.raises(ValidationError):
        _grant(world, unit=Unit.objects.get(name="各企业"))
    with pytest.raises(ValidationError):
        _grant(world, valid_until=_hour(-1))
    with pytest.raises(ValidationError):
        _grant(world, reason=" ")
    licence = enterprise_services.licence_create(actor=None, enterprise=target, kind="safety", number="授权-002")
    with pytest.raises(ValidationError):  # only models whose scope rule reads grants can be granted
        grants.grant_create(actor=None, obj=licence, user=world.user("inspector"), reason="x", valid_until=_hour(1))
    grant = _grant(world, "expert")
    with pytest.raises(PermissionDenied):
        grants.grant_revoke(actor=world.user("regulator"), grant=grant, reason="不是授权人")
    grants.grant_revoke(actor=world.user("office"), grant=grant, reason="安委办撤销")
    with pytest.raises(ValidationError):
        grants.grant_revoke(actor=None, grant=grant, reason="再次撤销")


def test_a_grant_lets_the_inspector_record_findings_but_never_keep_or_move_the_enterprise(world: World) -> None:
    target = world.enterprises[TARGET]
    inspector = world.user("inspector")
    with pytest.raises(PermissionDenied):
        hazard_register(actor=inspector, enterprise=target, description="灭火器过期", source=Source.GOVERNMENT)
    _grant(world)
    hazard = hazard_register(actor=world.user("inspector"), enterprise=target, description="灭火器过期",
                             source=Source.GOVERNMENT)
    assert hazard.enterprise_id == target.pk
    # An inspector who is also a regulator of another domain: the grant does not make him the enterprise's keeper.
    account_services.role_grant(actor=None, user=world.user("inspector"), role=Role.REGULATOR)
    both = world.user("inspector")
    assert Enterprise.objects.visible_to(both).filter(pk=target.pk).exists()
    assert not enterprise_services.can_edit_records(both, target)
    with pytest.raises(PermissionDenied):
        enterprise_services.enterprise_update(actor=both, enterprise=target, address="改地址")
    with pytest.raises(PermissionDenied):
        grants.grant_create(actor=both, obj=target, user=world.user("expert"), reason="转授", valid_until=_hour(1))


def test_only_holders_of_a_live_grant_carry_the_grant_condition(world: World) -> None:
    """Everyone else's predicate is the one they had before grants existed (and the expert's scope is empty)."""
    assert world.user("inspector").get_scope().grantee_id is None
    assert world.user("expert").get_scope().is_empty
    grant = _grant(world, "expert")
    assert world.user("expert").get_scope().grantee_id == world.users["expert"].pk
    assert world.user("inspector").get_scope().grantee_id is None
    grants.grant_revoke(actor=None, grant=grant, reason="取消")
    assert world.user("expert").get_scope().is_empty
    unit_grant = _grant(world, unit=Unit.objects.get(name="市应急管理局"), valid_from=_hour(1), valid_until=_hour(2))
    assert world.user("inspector").get_scope().grantee_id is not None  # a coming grant: the hint is already set
    assert TARGET not in _visible_enterprises(world, world.user("inspector"))  # but not yet live
    User.objects.filter(pk=world.users["inspector"].pk).update(grants_until=None)
    Unit.objects.filter(pk=unit_grant.unit_id).update(grants_until=_hour(-1))  # as if the hour had passed
    assert world.user("inspector").get_scope().grantee_id is None


@pytest.mark.parametrize("persona", ["inspector", "township_a", "expert"])
def test_list_pages_cost_the_same_queries_with_grants(client: Client, world: World, persona: str) -> None:
    """The grant is a condition inside the list's own query: no query more with a grant (the hazard figures: a fixed
    few), or with more grants.
    (The expert's lists start with one grant, so they are not empty: an empty page skips its prefetches.)"""
    client.force_login(world.users[persona])
    _rows(world)
    for township, key in (("township_a", "ent_a1"), ("township_b", "ent_b1")):  # no list starts empty
        hazard_register(actor=world.user(township), enterprise=world.enterprises[key], description="基础隐患",
                        source=Source.GOVERNMENT)
    grants.grant_create(actor=None, obj=world.enterprises["ent_b1"], user=world.user("expert"), reason="第一个",
                        valid_until=_hour(4))
    urls = ["/enterprises/", "/hazards/", "/hazards/figures/cards/", "/ledgers/", "/risk/overview/"]
    for url in urls:
        _queries(client, url)  # warm caches
    before = {url: _queries(client, url) for url in urls}
    _grant(world, "inspector")
    _grant(world, "expert")
    after = {url: _queries(client, url) for url in urls}
    # The hazard figures (fetched by the list page apart) come from maintained counts cut to the territory; the
    # granted hazards are counted apart, in a fixed number of queries once the scope holds a grant
    # (hazards.selectors.figures_for). Every list costs exactly the same; and nothing costs more with more grants.
    figures = "/hazards/figures/cards/"
    assert {u: n for u, n in after.items() if u != figures} == {u: n for u, n in before.items() if u != figures}
    assert after[figures] - before[figures] <= 3
    _grant(world, "inspector")
    _grant(world, "expert")
    assert {url: _queries(client, url) for url in urls} == after


# -- property: for random grants and times, visibility is exactly the direct rule ------------------------------
GRANTEES = ["inspector", "expert", "unit"]  # "unit": 市应急管理局, reaching the inspector (not the expert)
WINDOWS = {"live": (-1, 1), "expired": (-3, -1), "future": (1, 3), "revoked": (-1, 1)}


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=st.lists(st.tuples(st.sampled_from(GRANTEES), st.sampled_from(sorted(ENTERPRISES)),
                               st.sampled_from(sorted(WINDOWS))), max_size=6))
def _random_grants_match_the_direct_rule(world: World, plan: list[tuple[str, str, str]]) -> None:
    unit = Unit.objects.get(name="市应急管理局")
    with transaction.atomic():
        expected: dict[str, set[str]] = {"inspector": set(VISIBLE["inspector"]), "expert": set(VISIBLE["expert"])}
        for grantee, key, window in plan:
            start, end = WINDOWS[window]
            grant = ScopeGrant.objects.create(  # the read side under test: rows (and hints) as the services leave them
                user=None if grantee == "unit" else world.user(grantee), unit=unit if grantee == "unit" else None,
                object_type="enterprises.enterprise", object_id=world.enterprises[key].pk, reason="性质测试",
                valid_from=_hour(start), valid_until=_hour(end),
                revoked_at=timezone.now() if window == "revoked" else None)
            grants.refresh_hint(grant)
            if grant.is_live():
                expected["inspector" if grantee in ("inspector", "unit") else "expert"].add(key)
        for persona in PERSONAS:
            user = world.user(persona)
            want = expected.get(persona, VISIBLE[persona])
            assert _visible_enterprises(world, user) == want, (persona, plan)
            licences = set(Licence.objects.visible_to(user).values_list("enterprise_id", flat=True))
            assert licences == {world.enterprises[k].pk for k in want}, (persona, plan)
        transaction.set_rollback(True)


def test_random_grants_match_the_direct_rule(world: World) -> None:
    for key, ent in world.enterprises.items():  # one licence each, to see the rows follow
        enterprise_services.licence_create(actor=None, enterprise=ent, kind="safety", number=f"性质-{key}")
    _random_grants_match_the_direct_rule(world)
