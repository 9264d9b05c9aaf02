"""The next one to act hears of the tip: the township when it arrives, the department it is assigned to, the office
when a true tip is answered; nobody is told who reported it."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import Notification
from tests.personas import World
from tips import services
from tips.tests.factories import NAME, PHONE, emergency_bureau, submit, to_verified

pytestmark = pytest.mark.django_db


def _inbox(world: World, key: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=world.users[key]))


def test_each_next_actor_is_told_and_nobody_hears_the_reporter(world: World,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tip = submit(world)
    [received] = _inbox(world, "township_a")
    assert received.url == f"/tips/{tip.pk}/" and "请受理" in received.title
    assert not _inbox(world, "township_b") and not _inbox(world, "regulator")
    with django_capture_on_commit_callbacks(execute=True):
        tip = services.tip_transition(actor=world.user("township_a"), tip=tip, action="assign",
                                      assigned_unit=emergency_bureau())
    assert [n.url for n in _inbox(world, "regulator")] == [f"/tips/{tip.pk}/"]
    assert not _inbox(world, "regulator_fire")
    assert not _inbox(world, "office")
    with django_capture_on_commit_callbacks(execute=True):
        tip = services.tip_verify(actor=world.user("regulator"), tip=tip, verification="属实", confirmed=True)
        tip = services.tip_transition(actor=world.user("regulator"), tip=tip, action="reply", reply="已处理")
    [reward] = _inbox(world, "office")
    assert "拟定奖励" in reward.title and reward.url == f"/tips/{tip.pk}/"
    for n in Notification.objects.all():
        assert NAME not in f"{n.title} {n.body}" and PHONE not in f"{n.title} {n.body}"


def test_an_untrue_tip_asks_for_no_reward(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tip = to_verified(world, submit(world), confirmed=False)
        services.tip_transition(actor=world.user("regulator"), tip=tip, action="reply", reply="经核查不属实")
    assert not _inbox(world, "office")
