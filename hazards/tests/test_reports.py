"""双报告 statistics, escalation on the shared engine, notifications of the major-hazard report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from core.models import ChangeEvent
from hazards.choices import Grade, PeriodKind, Status
from hazards.models import Hazard, StatisticsReport
from hazards.selectors import Period, last_closed_periods
from hazards.statistics import report_figures, stats_report_submit
from hazards.tests.factories import drive_to, enterprise_hazard, fill_plan

pytestmark = pytest.mark.django_db


def test_due_dates_follow_order_16():
    assert Period(PeriodKind.QUARTER, 2026, 1).due == dt.date(2026, 4, 15)
    assert Period(PeriodKind.QUARTER, 2026, 4).due == dt.date(2027, 1, 15)
    assert Period(PeriodKind.YEAR, 2026, 0).due == dt.date(2027, 1, 31)
    assert Period(PeriodKind.QUARTER, 2026, 2).end == dt.date(2026, 6, 30)
    assert [p.label for p in last_closed_periods(dt.date(2026, 11, 29))] == ["2026年第3季度", "2025年度"]
    assert last_closed_periods(dt.date(2026, 2, 1))[0].label == "2025年第4季度"


def _in_last_quarter(world) -> Period:
    period = last_closed_periods(timezone.localdate())[0]
    found = timezone.make_aware(dt.datetime.combine(period.start + dt.timedelta(days=3), dt.time(9)))
    general = enterprise_hazard(world, grade=Grade.GENERAL, found_at=found)
    major = enterprise_hazard(world, grade=Grade.MAJOR, found_at=found)
    fill_plan(world, general)
    drive_to(world, major, Status.PLANNED)
    Hazard.objects.filter(pk=general.pk).update(status=Status.CLOSED, accepted_at=found + dt.timedelta(days=2),
                                                rectified_on=found.date())
    Hazard.objects.filter(pk=major.pk).update(deadline=period.start + dt.timedelta(days=10))
    enterprise_hazard(world, found_at=found)  # unassessed, still open
    return period


def test_statistics_by_grade(world):
    period = _in_last_quarter(world)
    figures = report_figures(world.enterprises["ent_a1"], period)
    assert figures["general"] == {"found": 1, "rectified": 1, "in_progress": 0, "overdue": 0}
    assert figures["major"] == {"found": 1, "rectified": 0, "in_progress": 1, "overdue": 1}
    assert figures["unassessed"]["found"] == 1
    assert figures["total"] == {"found": 3, "rectified": 1, "in_progress": 2, "overdue": 1}


def test_submit_freezes_a_snapshot_with_one_action(world):
    period = _in_last_quarter(world)
    ent = world.enterprises["ent_a1"]
    with pytest.raises(PermissionDenied):
        stats_report_submit(actor=world.user("township_a"), enterprise=ent, kind=period.kind, year=period.year,
                            quarter=period.quarter, principal="王五")
    with pytest.raises(ValidationError):
        stats_report_submit(actor=world.user("enterprise_a"), enterprise=ent, kind=period.kind, year=period.year,
                            quarter=period.quarter, principal="")
    report = stats_report_submit(actor=world.user("enterprise_a"), enterprise=ent, kind=period.kind,
                                 year=period.year, quarter=period.quarter, principal="王五")
    assert report.due_date == period.due and report.figures["total"]["found"] == 3
    assert ChangeEvent.objects.for_object(report).filter(action="hazards.stats_submit").count() == 1
    with pytest.raises(ValidationError):  # once per period
        stats_report_submit(actor=world.user("enterprise_a"), enterprise=ent, kind=period.kind, year=period.year,
                            quarter=period.quarter, principal="王五")
    current_year = timezone.localdate().year
    with pytest.raises(ValidationError):  # the period has not ended
        stats_report_submit(actor=world.user("enterprise_a"), enterprise=ent, kind=PeriodKind.YEAR,
                            year=current_year, principal="王五")
    # visible to the township and the regulator of its domain, 404 for the other township
    for key, status in (("township_a", 200), ("regulator", 200), ("township_b", 404), ("enterprise_b", 404)):
        client = Client()
        client.force_login(world.users[key])
        assert client.get(f"/hazards/statistics/{report.pk}/").status_code == status, key


def test_submit_through_the_page(world):
    period = _in_last_quarter(world)
    client = Client()
    client.force_login(world.users["enterprise_a"])
    page = client.get("/hazards/statistics/")
    assert "报送期限" in page.content.decode() and f"{period.due.month}月{period.due.day}日" in page.content.decode()
    response = client.post("/hazards/statistics/", {"kind": period.kind, "year": period.year,
                                                    "quarter": period.quarter, "principal": "王五"})
    assert response.status_code == 302
    assert StatisticsReport.objects.filter(enterprise=world.enterprises["ent_a1"]).count() == 1
    notice = client.get("/hazards/statistics/notice/")
    assert notice.status_code == 200 and "职工" in notice.content.decode()


def test_overdue_hazards_escalate_on_the_shared_engine(world):
    from escalation.loaders import load_escalation_defaults
    from escalation.registry import SOURCES
    from escalation.selectors import due_summary
    from escalation.services import sweep
    from notifications.models import Notification

    assert "hazards.hazard" in SOURCES
    load_escalation_defaults()
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    fill_plan(world, hazard, days=3)
    drive_to(world, hazard, Status.RECTIFYING)
    hazard.refresh_from_db()
    summary = {row["key"]: row for row in due_summary(world.user("township_a"))}["hazards.hazard"]
    assert summary["due_soon"] == 1
    later = hazard.deadline + dt.timedelta(days=1)
    report = sweep(today=later, sources=["hazards.hazard"])
    assert not report.errors, report.errors
    assert Notification.objects.filter(recipient=world.users["enterprise_a"]).exists()
    summary = {row["key"]: row for row in due_summary(world.user("township_a"), today=later)}["hazards.hazard"]
    assert summary["overdue"] == 1
    # once rectified and applied, the item is no longer open for escalation
    drive_to(world, Hazard.objects.get(pk=hazard.pk), Status.APPLIED)
    summary = {row["key"]: row for row in due_summary(world.user("township_a"), today=later)}["hazards.hazard"]
    assert summary["overdue"] == 0


def test_major_report_notifies_the_regulator_after_commit(world, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    notes = Notification.objects.filter(recipient=world.users["regulator"], object_id=str(hazard.pk))
    assert notes.filter(title__contains="重大事故隐患报告").exists()


def test_late_review_of_a_major_hazard_escalates_to_its_regulator(world):
    from escalation.loaders import load_escalation_defaults
    from escalation.selectors import due_summary
    from escalation.services import sweep
    from notifications.models import Notification

    load_escalation_defaults()
    hazard = drive_to(world, enterprise_hazard(world, grade=Grade.MAJOR), Status.APPLIED)
    assert hazard.review_deadline == timezone.localdate() + dt.timedelta(days=10)
    later = hazard.review_deadline + dt.timedelta(days=1)
    report = sweep(today=later, sources=["hazards.review"])
    assert not report.errors, report.errors
    from escalation.models import EscalationRecord

    assert EscalationRecord.objects.filter(source_key="hazards.review", object_id=hazard.pk).exists()
    # The sweep announces in daily digests: the regulator's counts the late review; the enterprise gets none.
    digest = Notification.objects.get(recipient=world.users["regulator"], dedupe_key__startswith="digest:")
    assert digest.breakdown == {"隐患验收审查 · 提醒": 1}
    assert not Notification.objects.filter(recipient=world.users["enterprise_a"],
                                           dedupe_key__startswith="digest:").exists()
    summary = {row["key"]: row for row in due_summary(world.user("regulator"), today=later)}
    assert summary["hazards.review"]["overdue"] == 1
