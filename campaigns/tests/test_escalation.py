"""Tasks in the shared escalation engine, with a frozen clock across the 2024 Spring Festival:
deadline 2024-02-08 (Thursday); holidays 02-10..02-17; 02-04 and 02-18 are working Sundays."""

from __future__ import annotations

import datetime as dt

import pytest

from campaigns import services, workflow
from campaigns.choices import ReportAction, ReportedStatus, UnitRole
from campaigns.deadline_sources import KEY
from campaigns.tests.conftest import assign
from escalation import services as escalation
from escalation.choices import Action
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord
from escalation.registry import SOURCES
from notifications.models import Notification
from workdays import services as workdays

pytestmark = pytest.mark.django_db
D = dt.date
DEADLINE = D(2024, 2, 8)


@pytest.fixture(autouse=True)
def _calendar() -> None:
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def task(world, small):
    load_escalation_defaults()
    return services.task_create(actor=None, plan=small.plan, title="东山老旧小区消防通道整治",
                                units=assign(("东山街道", UnitRole.LEAD), ("市消防救援大队", UnitRole.COOP)),
                                **services.deadline_values("2024年2月8日前", default_year=2024))


def steps(task) -> list[str]:
    return list(EscalationRecord.objects.filter(source_key=KEY, object_id=task.pk)
                .order_by("step__order").values_list("action", flat=True))


def inbox(world, key: str, kind: str) -> int:
    return Notification.objects.filter(recipient=world.users[key], kind=kind).count()


def sweep(day: dt.date):
    return escalation.sweep(today=day, sources=[KEY])


def test_task_is_a_deadline_source() -> None:
    source = SOURCES[KEY]
    assert source.label == "整治任务" and source.due_field == "deadline"


def test_reminders_and_ladder_across_spring_festival(world, task) -> None:
    # 5 working days before 02-08 is 02-02 (02-04 is a working Sunday).
    assert workdays.workdays_between(D(2024, 2, 2), DEADLINE) == 5
    assert sweep(D(2024, 2, 1)).reminders == 0
    assert sweep(D(2024, 2, 2)).reminders >= 1
    assert inbox(world, "township_a", "reminder") == 1
    assert inbox(world, "regulator_fire", "reminder") == 1  # co-operating unit is reminded too
    sweep(D(2024, 2, 7))
    assert inbox(world, "township_a", "reminder") == 2  # 1 working day left
    sweep(DEADLINE)
    assert steps(task) == []  # due today is not overdue
    sweep(D(2024, 2, 9))
    assert steps(task) == [Action.REMINDER]
    # The holiday does not count: 5 working days past the deadline is 02-21.
    for day in (D(2024, 2, 12), D(2024, 2, 17), D(2024, 2, 18), D(2024, 2, 20)):
        sweep(day)
        assert steps(task) == [Action.REMINDER], day
    sweep(D(2024, 2, 21))
    assert steps(task) == [Action.REMINDER, Action.CIRCULAR]
    assert inbox(world, "office", "escalation") >= 1  # the office (supervisor) hears of the 通报
    sweep(D(2024, 2, 28))
    assert steps(task) == [Action.REMINDER, Action.CIRCULAR, Action.TALK]  # 约谈 proposed to the office


def test_accepted_completion_stops_escalation(world, task) -> None:
    report = workflow.report_submit(actor=world.user("township_a"), task=task, reported_status=ReportedStatus.DONE,
                                    narrative="已整治", percent=100, today=D(2024, 2, 5))
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.ACCEPT)
    sweep(D(2024, 2, 28))
    assert steps(task) == []
