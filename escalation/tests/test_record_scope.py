"""Who sees an escalation record: ``EscalationRecord.objects.visible_to`` reads the territorial and domain arms on the
record's copies of its item's keys (``escalation.keys``) and must equal asking every item (``visible_by_items``), for
every persona, after any sequence of writes that file records (the sweep, a manual escalation) and that move items:
an enterprise moving to another township (its hazards and ledger rows follow), a department's domains changing,
explicit grants, tips assigned to a unit, 督办事项. The copies never go stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import Campaign, Task
from enterprises import services as enterprise_services
from escalation import keys
from escalation import services as escalation_services
from escalation.choices import Action
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord
from escalation.tests.test_due_counts import PERSONAS, _apply, _nth, operation
from orgs.models import Jurisdiction
from tests.personas import World
from tips.models import Tip

pytestmark = pytest.mark.django_db

op_move = st.tuples(st.just("move"), st.sampled_from(["ent_a1", "ent_a2", "ent_b1", "ent_park"]),
                    st.sampled_from(["东山街道", "山枣镇"]))
op_sweep = st.tuples(st.just("sweep"), st.integers(0, 40))
op_escalate = st.tuples(st.just("escalate"), st.integers(0, 40), st.sampled_from([Action.TALK, Action.CIRCULAR]))
op_campaign = st.tuples(st.just("campaign"), st.sampled_from(["东山街道", "山枣镇", "湘乡市"]))
steps = st.one_of(operation, op_move, op_sweep, op_sweep, op_escalate, op_campaign)


def _apply_here(world: World, op: tuple[Any, ...]) -> None:
    today = timezone.localdate()
    try:
        if op[0] == "move":
            enterprise_services.enterprise_update(actor=world.user("office"), enterprise=world.enterprises[op[1]],
                                                  jurisdiction=Jurisdiction.objects.get(name=op[2]))
        elif op[0] == "sweep":
            escalation_services.sweep(today=today + dt.timedelta(days=op[1]))
        elif op[0] == "escalate":
            tip = _nth(Tip, op[1])
            if tip is not None:
                escalation_services.escalate_manually(actor=world.user("office"), source_key="tips.accept", obj=tip,
                                                      action=op[2], note="受理超期")
        elif op[0] == "campaign":
            # A task's path follows its campaign's (a bulk update): the tasks' records follow too.
            task = Task.objects.select_related("campaign").first()
            if task is not None:
                place = Jurisdiction.objects.get(name=op[1])
                Campaign.objects.filter(pk=task.campaign_id).update(jurisdiction=place, jurisdiction_path=place.path)
                Task.objects.filter(campaign_id=task.campaign_id).update(jurisdiction_path=place.path)
                from core.registry import keys_moved

                keys_moved(Task, Task.objects.filter(campaign_id=task.campaign_id))
        else:
            _apply(world, op)
    except (ValidationError, PermissionDenied):
        pass  # refused writes write nothing


def assert_records_follow_items(world: World) -> None:
    assert keys.stale() == []
    for key in PERSONAS:
        user = world.user(key)
        mine = set(EscalationRecord.objects.visible_to(user).values_list("pk", flat=True))
        # A fresh user object: visible_to keeps the condition it built on the one it was given.
        reference = set(EscalationRecord.objects.visible_by_items(world.user(key)).values_list("pk", flat=True))
        assert mine == reference, (key, sorted(mine ^ reference))


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(steps, min_size=1, max_size=18))
def test_records_are_visible_exactly_when_their_items_are(world: World, ops: list[tuple[Any, ...]]) -> None:
    load_escalation_defaults()
    for op in ops:
        _apply_here(world, op)
    escalation_services.sweep(today=timezone.localdate() + dt.timedelta(days=30))  # every step filed
    assert_records_follow_items(world)


def test_an_enterprise_moving_carries_its_hazards_records_to_the_new_township(world: World) -> None:
    load_escalation_defaults()
    _apply(world, ("hazard", "self_a", -6))
    escalation_services.sweep(today=timezone.localdate() + dt.timedelta(days=40))
    ent = world.enterprises["ent_a1"]
    records = EscalationRecord.objects.filter(source_key="hazards.hazard", enterprise_id=ent.pk)
    assert records.exists()
    before = {world.user(k).username: records.visible_to(world.user(k)).count() for k in ("township_a", "township_b")}
    other = Jurisdiction.objects.get(name="山枣镇")
    assert not ent.jurisdiction_path.startswith(other.path)
    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent, jurisdiction=other)
    assert set(records.values_list("jurisdiction_path", flat=True)) == {other.path}
    after = {world.user(k).username: records.visible_to(world.user(k)).count() for k in ("township_a", "township_b")}
    assert before != after and sum(before.values()) == sum(after.values())
    assert_records_follow_items(world)


def test_a_saved_item_carries_its_records_along(world: World) -> None:
    """Any save of an item (a service's ``save()``) re-copies its keys onto its records, in the same transaction."""
    from hazards.models import Hazard

    load_escalation_defaults()
    _apply(world, ("hazard", "place", -6))
    escalation_services.sweep(today=timezone.localdate() + dt.timedelta(days=40))
    record = EscalationRecord.objects.filter(source_key="hazards.hazard").first()
    hazard = Hazard.objects.get(pk=record.object_id)
    other = Jurisdiction.objects.get(name="山枣镇")
    hazard.jurisdiction, hazard.jurisdiction_path = other, other.path
    hazard.save()
    record.refresh_from_db()
    assert record.jurisdiction_path == other.path
    hazard.save(update_fields=["description"])  # a save that cannot move it is not followed
    assert keys.stale() == []


def test_a_declared_domain_links_rule_is_the_model_s_own_domain_arm(world: World) -> None:
    """``CountKeys.domain_links`` stands for the model's domain arm on the records' copies: on the items themselves
    it selects exactly what ``scope_q`` of the department's grants does."""
    from core.scoping import Scope
    from escalation.registry import SOURCES

    for op in [("licence", "ent_a1", 5), ("licence", "ent_b1", -3), ("licence", "ent_park", 9),
               ("ledger", "equipment", "ent_a2", 4), ("ledger", "certificate", "ent_b2", -2),
               ("ledger", "plan", "ent_park", 7)]:
        _apply(world, op)
    declared = [s for s in SOURCES.values() if s.counts is not None and s.counts.domain_links is not None]
    assert {s.key for s in declared} >= {"ledgers.licence", "enforcement.review"}
    seen = 0
    for key in ("regulator", "regulator_fire", "inspector"):
        grants = world.user(key).get_scope().domain_grants
        assert grants
        for source in declared:
            model = source.model
            by_rule = set(model.objects.filter(source.counts.domain_links(grants)).values_list("pk", flat=True))
            own = set(model.objects.filter(model.scope_q(Scope(domain_grants=grants))).values_list("pk", flat=True))
            assert by_rule == own, (key, source.key)
            seen += len(own)
    assert seen  # the departments reach some of the rows: the comparison is not of empty sets
