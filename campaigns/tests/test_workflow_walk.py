"""Random walks over the progress-report workflow (``tests/workflows.py``): from no report to submitted,
returned and accepted, by the responsible unit, the office and outsiders; a task is done only when an accepted
report claimed completion."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from campaigns import lifecycle, services, workflow
from campaigns.choices import PlanKind, ReportAction, ReportedStatus, TaskStatus, UnitRole
from campaigns.models import Campaign, Plan, ProgressReport, Task
from campaigns.tests.conftest import assign
from core.workflow import Move
from orgs.models import Jurisdiction, Unit
from tests.personas import World
from tests.workflows import Walk, walk

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 3, 10)


def _task(world: World, rng: random.Random) -> Task:
    """A fresh task that only 东山街道 reports on, in one campaign shared by the walks."""
    plan = Plan.objects.filter(campaign__name="随机漫步行动").first()
    if plan is None:
        campaign = services.campaign_create(
            actor=None, name="随机漫步行动", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31),
            office_unit=Unit.objects.get(name="市安委办"), jurisdiction=Jurisdiction.objects.get(code="430381"))
        plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.MASTER, code="master", title="总方案",
                                  short_name="总方案", sort=0)
    return services.task_create(actor=None, plan=plan, title=f"漫步任务{rng.randint(1, 10**9)}",
                                units=assign(("东山街道", UnitRole.LEAD)),
                                **services.deadline_values("2024年3月底", default_year=2024))


def _report(world: World, task: Task) -> ProgressReport:
    unit = Unit.objects.get(name="东山街道")
    return (ProgressReport.objects.filter(task=task, unit=unit).first()
            or ProgressReport(task=Task.objects.get(pk=task.pk), unit=unit))


def _claim(world: World, task: Task, to: str, move: Move, key: str, rng: random.Random) -> dict[str, Any]:
    done = rng.random() < 0.5
    return {"status": ReportedStatus.DONE if done else ReportedStatus.IN_PROGRESS, "percent": 100 if done else 40}


def _act(world: World, task: Task, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    if move.action == ReportAction.SUBMIT:
        workflow.report_submit(actor=actor, task=task, reported_status=data["status"], narrative="进展",
                               percent=data["percent"], today=TODAY)
    else:
        workflow.report_review(actor=actor, report=_report(world, task), action=move.action, comment=data["note"])


def _campaign(world: World, rng: random.Random) -> Any:
    """A fresh draft (筹备) campaign of the city, made by the office through the service."""
    return services.campaign_create(
        actor=world.user("office"), name=f"生命周期行动{rng.randint(1, 10**9)}", starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31), office_unit=Unit.objects.get(name="市安委办"),
        jurisdiction=Jurisdiction.objects.get(code="430381"))


def _stage(world: World, campaign: Any, to: str, move: Move, actor: Any, data: dict[str, Any]) -> None:
    lifecycle.campaign_transition(actor=actor, campaign=campaign, action=move.action, note=data["note"])


WALKS = [Walk(workflow=workflow.TRANSITIONS, personas=["township_a", "office", "township_b", "regulator_fire"],
              make=_task, subject=_report, act=_act, prepare=_claim, by_action=True,
              events=lambda report: report.events.count(), every_move=True),
         Walk(workflow=lifecycle.TRANSITIONS, personas=["office", "township_a", "regulator_fire", "enterprise_a"],
              make=_campaign, act=_stage, by_action=True, every_move=True, label="lifecycle")]


def test_lifecycle_walks_reach_every_stage_and_archived_is_read_only(world: World) -> None:
    walk(WALKS[1], world)
    archived = Campaign.objects.filter(name__startswith="生命周期行动", stage="archived").first()
    assert archived is not None
    with pytest.raises(ValidationError, match="已归档"):
        services.campaign_update(actor=world.user("office"), campaign=archived, name="改名")


def test_report_walks_reach_every_state_and_move(world: World) -> None:
    walk(WALKS[0], world)
    for task in Task.objects.filter(plan__campaign__name="随机漫步行动"):
        report = ProgressReport.objects.filter(task=task).first()
        accepted_claim = report is not None and report.state == "accepted" and report.claims_completion
        assert (task.status == TaskStatus.DONE) == accepted_claim
