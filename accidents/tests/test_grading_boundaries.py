"""Every threshold of 条例第三条, on both sides, through the ways a grade is stored: registration (the service), the
API (a sent grade ignored), and 补报 across each threshold; plus the investigation report's established loss. The
pure rule is in test_grading.py; these prove no path stores a grade by another rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accidents import services
from accidents.choices import AttachmentRole, Grade
from accidents.grading import THRESHOLDS
from accidents.models import Accident
from accidents.tests.factories import moment, register, report_pdf
from tests.personas import World

pytestmark = pytest.mark.django_db
BELOW = {Grade.GRAVE: Grade.MAJOR, Grade.MAJOR: Grade.LARGER, Grade.LARGER: Grade.GENERAL}


def _edges() -> list[tuple[str, Any, str]]:
    """(measure, value, grade) just below and exactly at every threshold of every measure."""
    out: list[tuple[str, Any, str]] = []
    for grade, deaths, serious, loss in THRESHOLDS:
        out += [("deaths", deaths - 1, BELOW[grade]), ("deaths", deaths, grade),
                ("serious_injuries", serious - 1, BELOW[grade]), ("serious_injuries", serious, grade),
                ("direct_loss", loss - Decimal("0.01"), BELOW[grade]), ("direct_loss", loss, grade)]
    return out


EDGES = _edges()


def test_the_edges_cover_every_threshold() -> None:
    assert len(EDGES) == 18 and {g for _m, _v, g in EDGES} == set(Grade.values)


@pytest.mark.parametrize(("measure", "value", "grade"), EDGES)
def test_registration_stores_the_grade_at_every_edge(world: World, measure: str, value: Any, grade: str) -> None:
    accident = register(world, **{measure: value})
    accident.refresh_from_db()
    assert accident.grade == grade, (measure, value)


@pytest.mark.parametrize(("measure", "value", "grade"), EDGES)
def test_the_api_computes_the_grade_at_every_edge_and_ignores_a_sent_one(
        client: Client, world: World, measure: str, value: Any, grade: str) -> None:
    client.force_login(world.users["regulator"])
    body = {"occurred_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(), "accident_type": "lifting",
            "enterprise": world.enterprises["ent_a1"].pk, "summary": "吊装作业吊物坠落。", "grade": "grave",
            measure: str(value)}
    response = client.post("/api/v1/accidents/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["grade"] == grade
    assert Accident.objects.get(pk=response.json()["id"]).grade == grade


@pytest.mark.parametrize(("grade", "deaths", "serious"), [(g, d, s) for g, d, s, _loss in THRESHOLDS])
def test_a_revision_across_each_threshold_regrades_both_ways(world: World, grade: str, deaths: int,
                                                             serious: int) -> None:
    accident = register(world, occurred_at=moment(timezone.localdate() - dt.timedelta(days=3)), deaths=deaths - 1)
    assert accident.grade == BELOW[grade]
    office = world.user("office")
    services.accident_revise(actor=office, accident=accident, deaths=deaths, serious_injuries=0, injuries=0)
    accident.refresh_from_db()
    assert accident.grade == grade
    services.accident_revise(actor=office, accident=accident, deaths=0, serious_injuries=serious - 1, injuries=0)
    accident.refresh_from_db()
    assert accident.grade == BELOW[grade]
    services.accident_revise(actor=office, accident=accident, deaths=0, serious_injuries=serious, injuries=0)
    accident.refresh_from_db()
    assert accident.grade == grade


@pytest.mark.parametrize(("loss", "grade"), [(str(loss - Decimal("0.01")), BELOW[g]) for g, _d, _s, loss in THRESHOLDS]
                         + [(str(loss), g) for g, _d, _s, loss in THRESHOLDS])
def test_the_loss_the_investigation_report_establishes_grades_at_every_edge(world: World, loss: str,
                                                                              grade: str) -> None:
    office = world.user("office")
    accident = register(world, occurred_at=moment(timezone.localdate() - dt.timedelta(days=60)))
    services.accident_transition(actor=office, accident=accident, action="investigate")
    services.accident_attach(actor=office, accident=accident, file=report_pdf(), role=AttachmentRole.REPORT)
    services.accident_transition(actor=office, accident=accident, action="report", cause="违章作业", direct_loss=loss)
    accident.refresh_from_db()
    assert accident.grade == grade, loss
