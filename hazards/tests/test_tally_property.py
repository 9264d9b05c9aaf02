"""Property: after any sequence of hazard writes through the services — registrations by every kind of finder,
transitions through ``hazard_transition`` (extensions and 立查立改 included), draft deadlines in plans, enterprises
moving to another township, explicit grants, folds of the days past — the maintained counts equal a recount from
the hazards, and the figures every persona reads from them equal direct counts of what it sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import grants
from core.scoping import scope_for
from enterprises import services as enterprise_services
from hazards import services, tally, workflow
from hazards.choices import Grade, Source, Status
from hazards.models import Hazard, HazardDue
from hazards.models.tally import PAST
from hazards.selectors import figures, figures_for, total_for
from hazards.tests.factories import MAJOR_PLAN, MAJOR_REPORT, PLAN, photo
from orgs import services as org_services
from orgs.models import Domain, Jurisdiction
from tests.personas import USERS, World

pytestmark = pytest.mark.django_db

PERSONAS = [k for k in USERS if k not in ("sysadmin", "secadmin", "auditadmin")]
ACTORS = ["enterprise_a", "enterprise_b", "regulator", "township_a", "township_b", "inspector", "office",
          "regulator_fire"]
GRADES = [None, Grade.GENERAL, Grade.MAJOR]
MOVES = ["assess", "plan", "start", "apply", "accept", "return", "close", "extend", "spot_fix", "void", "draft",
         "photos"]

register = st.tuples(st.just("register"), st.sampled_from(["self_a", "self_b", "gov", "place"]),
                     st.sampled_from(GRADES), st.one_of(st.none(), st.integers(-4, 4)))
move = st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(MOVES), st.integers(-3, 6))
relocate = st.tuples(st.just("relocate"), st.sampled_from(["ent_a1", "ent_a2", "ent_b1"]))
grant = st.tuples(st.just("grant"), st.sampled_from(["enterprise", "hazard"]), st.integers(0, 50))
fold = st.tuples(st.just("fold"))
operation = st.one_of(register, move, move, move, move, relocate, grant, fold)


def _register(world: World, how: str, grade: str | None, offset: int | None) -> None:
    today = timezone.localdate()
    deadline = None if offset is None else today + dt.timedelta(days=offset)
    # ``today`` earlier than any drawn deadline: a deadline already past is what makes a hazard overdue.
    common: dict[str, Any] = {"grade": grade, "deadline": deadline, "today": today - dt.timedelta(days=10),
                              **MAJOR_REPORT}
    if how == "place":
        services.hazard_register(actor=world.user("township_a"), description="路段护栏缺失", source=Source.GOVERNMENT,
                                 place="东山路K2+300", jurisdiction=Jurisdiction.objects.get(name="东山街道"),
                                 domain=Domain.objects.get(code="D12"), **common)
    elif how == "gov":
        services.hazard_register(actor=world.user("inspector"), enterprise=world.enterprises["ent_b1"],
                                 description="防护栏缺失", source=Source.GOVERNMENT, **common)
    else:
        key = how[-1]
        services.hazard_register(actor=world.user(f"enterprise_{key}"), enterprise=world.enterprises[f"ent_{key}1"],
                                 description="配电柜前堆放杂物", source=Source.SELF_CHECK, **common)


def _who(world: World, hazard: Hazard, rule: Any) -> list[Any]:
    users = [world.user(k) for k in ACTORS]
    return [u for u in users if rule(u, hazard)] or users[:1]


def _move(world: World, hazard: Hazard, action: str, days: int) -> None:
    today = timezone.localdate()
    if action == "draft":  # the plan's deadline becomes the hazard's until the plan is confirmed
        for user in _who(world, hazard, workflow.is_responsible):
            services.plan_save(actor=user, hazard=hazard, today=today - dt.timedelta(days=10),
                               **{**PLAN, **MAJOR_PLAN, "deadline": today + dt.timedelta(days=days)})
            return
    if action == "photos":
        for role in ("before", "after"):
            services.hazard_attach(actor=_who(world, hazard, workflow.may_edit)[0], hazard=hazard, file=photo(),
                                   role=role)
        return
    found = workflow.TRANSITIONS.find(hazard.status, action)
    if found is None:
        return
    to, mv = found
    data: dict[str, Any] = {"grade": Grade.MAJOR if days > 4 else Grade.GENERAL, "result": "整改完成",
                            "deadline": (hazard.deadline or today) + dt.timedelta(days=abs(days) + 1)}
    for user in _who(world, hazard, mv.who):
        services.hazard_transition(hazard=hazard, to=to, actor=user, note="理由", **data)
        return


def _apply(world: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    try:
        if kind == "register":
            _register(world, *op[1:])
        elif kind == "move":
            hazards = list(Hazard.objects.order_by("pk"))
            if hazards:
                _move(world, hazards[op[1] % len(hazards)], op[2], op[3])
        elif kind == "relocate":
            ent = world.enterprises[op[1]]
            ent.refresh_from_db()
            there = "山枣镇" if ent.jurisdiction.name == "东山街道" else "东山街道"
            enterprise_services.enterprise_update(actor=None, enterprise=ent,
                                                  jurisdiction=Jurisdiction.objects.get(name=there))
        elif kind == "grant":
            hazards = list(Hazard.objects.order_by("pk"))
            if hazards:
                hazard = hazards[op[2] % len(hazards)]
                obj = hazard.enterprise if op[1] == "enterprise" and hazard.enterprise_id else hazard
                grants.grant_create(actor=world.user("office"), obj=obj, reason="抽查任务",
                                    valid_until=timezone.now() + dt.timedelta(days=3), user=world.user("expert"))
        elif kind == "fold":
            tally.fold()
    except (ValidationError, PermissionDenied):
        pass  # refused writes write nothing, counts included


def assert_counts_equal_direct(world: World) -> None:
    today = timezone.localdate()
    expected = (tally.tally_rows(Hazard.objects.all()), tally.due_rows(Hazard.objects.all(), today))
    expected = tuple({k: n for k, n in part.items() if n} for part in expected)
    assert tally.snapshot() == expected
    for key in PERSONAS:
        user = world.user(key)
        assert figures_for(user, today) == figures(Hazard.objects.visible_to(user), today), key
        total = total_for(user)  # the unfiltered list's total (None: a scope with grants counts its rows)
        assert total == Hazard.objects.visible_to(user).count() or (total is None and scope_for(user).grantee_id), key


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_counts_equal_direct_counts_after_any_sequence(world: World, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        _apply(world, op)
    assert_counts_equal_direct(world)


def test_the_property_is_not_vacuous(world: World) -> None:
    """A fixed sequence reaches what the property must cover: overdue and on-time hazards, major ones, a voided
    one, an enterprise that moved, a grant, a fold; and the figures are not all zero."""
    ops: list[tuple[Any, ...]] = [("register", "self_a", Grade.GENERAL, -2), ("register", "self_a", Grade.MAJOR, 3),
                                  ("register", "gov", None, 1), ("register", "place", Grade.GENERAL, None),
                                  ("register", "self_b", Grade.GENERAL, 2)]
    for op in ops:
        _apply(world, op)
    first, major, gov, place, b = Hazard.objects.order_by("pk")
    for action in ("draft", "plan", "start", "apply", "accept", "close"):
        _apply(world, ("move", 4, action, 5))
    _apply(world, ("move", 3, "void", 0))
    _apply(world, ("move", 2, "photos", 0))
    _apply(world, ("move", 2, "spot_fix", 0))
    _apply(world, ("relocate", "ent_a1"))
    _apply(world, ("grant", "enterprise", 4))
    _apply(world, ("fold",))
    assert HazardDue.objects.filter(deadline=PAST, n__gt=0).exists()
    statuses = dict(Hazard.objects.values_list("pk", "status"))
    assert statuses[b.pk] == Status.CLOSED and statuses[place.pk] == Status.VOIDED
    assert statuses[gov.pk] == Status.CLOSED
    office = figures_for(world.user("office"))
    assert office.overdue >= 1 and office.major == 1 and office.done == 2 and office.on_time >= 1
    # The expert sees only the granted enterprise's hazards (山枣's: the inspector's and its own).
    assert figures_for(world.user("expert")).total == Hazard.objects.filter(enterprise=b.enterprise_id).count() == 2
    assert_counts_equal_direct(world)


def test_a_jurisdiction_moving_re_keys_the_counts(world: World) -> None:
    """A township moved under another parent: every path changes, counts included (``orgs.services._repath``)."""
    for op in [("register", "self_a", Grade.GENERAL, -1), ("register", "place", None, 2), ("register", "gov", None, 1)]:
        _apply(world, op)
    town = Jurisdiction.objects.get(name="东山街道")
    other = Jurisdiction.objects.get(name="山枣镇")
    org_services.jurisdiction_save(actor=None, code=town.code, name=town.name, level=town.level, parent=other)
    assert Hazard.objects.filter(jurisdiction_path__startswith=other.path + f"{town.pk}/").exists()
    assert_counts_equal_direct(world)
    tally.rebuild()
    assert_counts_equal_direct(world)
