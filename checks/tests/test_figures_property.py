"""Property: any sequence of scheduled periods, runs (on time, late, missed, unscheduled) and failures keeps the
daily rollup equal to a rebuild from the rows and gives figures equal to direct counts, and every failed item is exactly one hazard or one 立查立改 record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import rollup, services
from checks.choices import CheckerLevel, Frequency, Outcome
from checks.figures import figures, totals
from checks.models import CheckDay, CheckPlan, CheckRun, DueCheck, ItemResult, OnSpotFix
from checks.tests.factories import new_uuid, own_list
from hazards.models import Hazard
from hazards.tests.factories import photo
from risk.tests.factories import make_point
from tests.personas import World

pytestmark = pytest.mark.django_db
DAYS = 4

# What happens to one due check: missed, done on time, or done k days late; with some failures (hazard / on-spot).
action = st.tuples(st.sampled_from(["missed", "on_time", "late"]), st.integers(1, 3),
                   st.lists(st.sampled_from(["hazard", "on_spot"]), max_size=2))
extra = st.lists(st.tuples(st.integers(0, DAYS), st.lists(st.sampled_from(["hazard", "on_spot"]), max_size=2)),
                 max_size=3)


def _at(day: dt.date, now: dt.datetime) -> dt.datetime:
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))), now - dt.timedelta(minutes=1))


def _results(checklist: Any, failures: list[str]) -> list[services.ResultInput]:
    items = list(checklist.items.order_by("position"))
    out = []
    for item, disposal in zip(items, failures, strict=False):
        out.append(services.ResultInput(item=item.pk, outcome=Outcome.FAIL, disposal=disposal, fix_action="当场整改",
                                        fix_photos=[photo()] if disposal == "on_spot" else []))
    return out


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=st.lists(action, min_size=1, max_size=20), unscheduled=extra, group=st.sampled_from(
    [None, "enterprise", "township", "domain"]))
def test_figures_equal_direct_counts(world: World, fixture: dict[str, Any], actions: list[Any],
                                     unscheduled: list[Any], group: str | None) -> None:
    ItemResult.objects.all().delete()
    CheckRun.objects.all().delete()
    DueCheck.objects.all().delete()
    CheckDay.objects.all().delete()
    today = timezone.localdate()
    now = timezone.now()
    start = today - dt.timedelta(days=DAYS)
    services.generate_due(today=start, days=DAYS + 1)
    dues = list(DueCheck.objects.order_by("due_on", "plan_id", "shift"))
    worker = world.user("enterprise_a")
    expected = {"due": 0, "done": 0, "on_time": 0, "runs": 0, "runs_finding": 0, "failures": 0, "hazards": 0,
                "fixes": 0}
    points_due: set[int] = set()
    points_covered: set[int] = set()
    for due, (what, late_by, failures) in zip(dues, actions * (len(dues) // len(actions) + 1), strict=False):
        done_day = None
        if what == "on_time" or (what == "late" and due.due_on < today):
            day = due.due_on if what == "on_time" else min(due.due_on + dt.timedelta(days=late_by), today)
            performed = _at(day, now)
            services.run_record(actor=worker, uuid=new_uuid(), checklist=due.plan.checklist, plan=due.plan, due=due,
                                performed_at=performed, results=_results(due.plan.checklist, failures))
            done_day = timezone.localdate(performed)
            if done_day >= start:
                expected["runs"] += 1
                expected["runs_finding"] += bool(failures)
                expected["failures"] += len(failures)
                expected["hazards"] += failures.count("hazard")
                expected["fixes"] += failures.count("on_spot")
        if due.due_on <= today and (due.due_on < today or done_day is not None):
            expected["due"] += 1
            if due.risk_point_id:
                points_due.add(due.risk_point_id)
            if done_day is not None:
                expected["done"] += 1
                if done_day <= due.due_on:
                    expected["on_time"] += 1
                    if due.risk_point_id:
                        points_covered.add(due.risk_point_id)
    for days_ago, failures in unscheduled:
        performed = _at(today - dt.timedelta(days=days_ago), now)
        services.run_record(actor=worker, uuid=new_uuid(), checklist=fixture["list"],
                            enterprise=world.enterprises["ent_a1"], performed_at=performed,
                            results=_results(fixture["list"], failures))
        expected["runs"] += 1
        expected["runs_finding"] += bool(failures)
        expected["failures"] += len(failures)
        expected["hazards"] += failures.count("hazard")
        expected["fixes"] += failures.count("on_spot")
    expected["points"], expected["points_covered"] = len(points_due), len(points_covered)

    # A second generation (the nightly job running again) changes nothing; the rollup kept by the writes equals a
    # rebuild from the rows.
    services.generate_due(today=start, days=DAYS + 1)
    kept = rollup.snapshot()
    assert kept
    rollup.rebuild()
    assert rollup.snapshot() == kept

    groups = figures(world.user("office"), start, today, group=group, today=today)
    total = totals(groups)
    got = {name: getattr(total, name) for name in expected}
    assert got == expected
    # The enterprise sees the same of its own; an outsider sees nothing.
    own = totals(figures(worker, start, today, today=today))
    assert {name: getattr(own, name) for name in expected} == expected
    assert totals(figures(world.user("enterprise_b"), start, today, today=today)).runs == 0
    # Every failed item is exactly one hazard or one 立查立改 record.
    for result in ItemResult.objects.filter(outcome=Outcome.FAIL).select_related("run"):
        has_fix = OnSpotFix.objects.filter(result=result).exists()
        assert (result.hazard_id is not None) != has_fix
        assert (result.disposal == "hazard") == (result.hazard_id is not None)
    hazards = ItemResult.objects.filter(hazard__isnull=False)
    assert hazards.count() == (CheckRun.objects.aggregate(n=Sum("hazards_created"))["n"] or 0)
    assert Hazard.objects.filter(check_result__isnull=False).count() == hazards.count()


@pytest.fixture
def fixture(world: World) -> dict[str, Any]:
    """Three plans of one enterprise over the last days: daily and every shift at two risk points, weekly without."""
    enterprise = world.enterprises["ent_a1"]
    worker = world.user("enterprise_a")
    start = timezone.localdate() - dt.timedelta(days=DAYS)
    checklist = own_list(world, items=2)
    red = make_point(enterprise, "red", name="熔炼炉")
    blue = make_point(enterprise, "blue", name="成品库")
    for point, frequency in ((red, Frequency.SHIFT), (blue, Frequency.DAILY)):
        services.plan_create(actor=worker, checklist=checklist, frequency=frequency, checker_level=CheckerLevel.TEAM,
                             starts_on=start, enterprise=enterprise, risk_point=point)
    services.plan_create(actor=worker, checklist=checklist, frequency=Frequency.WEEKLY,
                         checker_level=CheckerLevel.COMPANY, starts_on=start, enterprise=enterprise)
    assert CheckPlan.objects.count() == 3
    return {"list": checklist}
