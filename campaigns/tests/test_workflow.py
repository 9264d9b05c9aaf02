from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns import workflow
from campaigns.choices import ReportAction, ReportedStatus, ReportInterval, ReportState, TaskStatus
from campaigns.models import ProgressEvent, ProgressReport
from core.uploads import attachments_for

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
TODAY = dt.date(2024, 3, 10)


def submit(world, task, key="township_a", status=ReportedStatus.IN_PROGRESS, percent=50, **kw):
    return workflow.report_submit(actor=world.user(key), task=task, reported_status=status, narrative="已完成划线",
                                  percent=percent, today=TODAY, **kw)


def test_report_return_resubmit_accept_completes_the_task(world, small) -> None:
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    report = submit(world, small.dongshan, status=ReportedStatus.DONE, percent=100, files=[photo])
    assert report.period_label == "2024年3月" and report.state == ReportState.SUBMITTED
    assert attachments_for(report, "evidence").count() == 1
    small.dongshan.refresh_from_db()
    assert small.dongshan.status == TaskStatus.OPEN  # a claim is not completion
    with pytest.raises(ValidationError):
        workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.RETURN, comment="")
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.RETURN,
                           comment="请补充现场照片")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.review_comment == "请补充现场照片"
    again = submit(world, small.dongshan, status=ReportedStatus.DONE, percent=100)
    assert again.pk == report.pk and again.state == ReportState.SUBMITTED
    workflow.report_review(actor=world.user("office"), report=again, action=ReportAction.ACCEPT)
    small.dongshan.refresh_from_db()
    assert small.dongshan.status == TaskStatus.DONE and small.dongshan.percent == 100
    assert list(ProgressEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit", "return", "submit", "accept"]


def test_review_results_are_notified_to_the_reporting_unit(world, small) -> None:
    from notifications.models import Notification

    report = submit(world, small.dongshan)
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.RETURN, comment="补充材料")
    note = Notification.objects.filter(recipient=world.users["township_a"]).latest("pk")
    assert "退回" in note.title and note.body == "补充材料"


def test_only_responsible_units_report_and_only_the_office_reviews(world, small) -> None:
    with pytest.raises(PermissionDenied):
        submit(world, small.dongshan, key="township_b")
    report = submit(world, small.dongshan)
    for key in ("township_a", "regulator_fire"):
        with pytest.raises(PermissionDenied):
            workflow.report_review(actor=world.user(key), report=report, action=ReportAction.ACCEPT)
    with pytest.raises(ValidationError):  # a submitted report cannot be submitted again before review
        submit(world, small.dongshan)


def test_accepted_partial_progress_moves_task_in_progress(world, small) -> None:
    report = submit(world, small.townships, percent=40)  # 东山 reaches it through 各乡镇（街道）
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.ACCEPT)
    small.townships.refresh_from_db()
    # 东山街道's own part moves (推进中, 40%); the task is 推进中, its percentage that of the part that decides it
    # (the lead 市消防救援大队, which has reported nothing: a 配合 township's 40% is not the task's).
    part = small.townships.unit_links.get(unit__name="东山街道")
    assert (part.status, part.percent) == ("in_progress", 40)
    assert (small.townships.status, small.townships.percent) == (TaskStatus.IN_PROGRESS, 0)


def test_done_claim_needs_100_percent(world, small) -> None:
    with pytest.raises(ValidationError):
        submit(world, small.dongshan, status=ReportedStatus.DONE, percent=80)


def test_reporting_periods_follow_the_campaign_schedule(small) -> None:
    c = small.campaign
    assert workflow.period_for(c, dt.date(2024, 5, 20)) == (dt.date(2024, 5, 1), "2024年5月")
    c.report_interval = ReportInterval.QUARTERLY
    assert workflow.period_for(c, dt.date(2024, 5, 20)) == (dt.date(2024, 4, 1), "2024年第二季度")
    assert workflow.period_due(c, dt.date(2024, 4, 1)) == dt.date(2024, 6, 25)
    c.report_interval = ReportInterval.YEARLY
    assert workflow.period_for(c, dt.date(2024, 5, 20))[1] == "2024年度"


# -- the transition table, property-tested ---------------------------------------------------
ACTIONS = st.lists(st.sampled_from([ReportAction.SUBMIT, ReportAction.RETURN, ReportAction.ACCEPT]), max_size=8)


@given(ACTIONS)
def test_table_transitions_are_the_only_ones(actions: list[str]) -> None:
    state: str | None = None
    for action in actions:
        if (state, action) in workflow.TRANSITIONS:
            new = workflow.next_state(state, action)
            assert new in ReportState.values
            state = new
        else:
            with pytest.raises(ValidationError):
                workflow.next_state(state, action)
    if state == ReportState.ACCEPTED:
        assert workflow.allowed_actions(state) == []  # accepted is final


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, claims=st.booleans())
def test_task_is_done_only_after_an_accepted_completion_claim(world, small, actions: list[str],
                                                              claims: bool) -> None:
    task = small.dongshan
    ProgressReport.objects.filter(task=task).delete()
    task.status, task.percent, task.completed_on = TaskStatus.OPEN, 0, None
    task.save()
    task.unit_links.update(status="open", percent=0, completed_on=None)  # a fresh start for every example
    office, unit = world.user("office"), world.user("township_a")
    accepted_claim = False
    for action in actions:
        report = ProgressReport.objects.filter(task=task).first()
        try:
            if action == ReportAction.SUBMIT:
                report = workflow.report_submit(
                    actor=unit, task=task,
                    reported_status=ReportedStatus.DONE if claims else ReportedStatus.IN_PROGRESS, narrative="进展", percent=100 if claims else 30, today=TODAY)
            elif report is not None:
                workflow.report_review(actor=office, report=report, action=action, comment="意见")
                accepted_claim = accepted_claim or (action == ReportAction.ACCEPT and claims)
            else:
                continue
        except ValidationError:
            continue
    task.refresh_from_db()
    assert (task.status == TaskStatus.DONE) == accepted_claim


def test_evidence_is_served_only_to_those_who_see_the_task(client, world, small) -> None:
    from django.urls import reverse

    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    report = submit(world, small.dongshan, files=[photo])
    attachment = attachments_for(report, "evidence").get()
    url = reverse("core:file", args=[attachment.pk])
    client.force_login(world.users["office"])
    assert client.get(url).status_code == 200
    client.force_login(world.users["township_b"])
    assert client.get(url).status_code == 404


def test_report_and_review_through_the_pages(client, world, small) -> None:
    from django.urls import reverse

    client.force_login(world.users["township_a"])
    url = reverse("campaigns:task_report", args=[small.dongshan.pk])
    response = client.post(url, {"reported_status": "in_progress", "percent": 30, "narrative": "已开始排查",
                                 "files": [SimpleUploadedFile("说明.txt", b"plain text")]})
    assert response.status_code == 302
    assert not ProgressReport.objects.exists()  # a text file is not accepted evidence: nothing saved
    client.post(url, {"reported_status": "in_progress", "percent": 30, "narrative": "已开始排查"})
    report = ProgressReport.objects.get()
    client.force_login(world.users["township_b"])
    assert client.post(url, {"reported_status": "in_progress", "percent": 30, "narrative": "x"}).status_code == 404
    review = reverse("campaigns:report_review", args=[report.pk])
    assert client.post(review, {"action": "accept"}).status_code == 404
    client.force_login(world.users["office"])
    assert client.get(reverse("campaigns:reviews")).status_code == 200
    client.post(review, {"action": "accept", "comment": "", "next": "reviews"})
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    small.dongshan.refresh_from_db()
    assert (small.dongshan.status, small.dongshan.percent) == (TaskStatus.IN_PROGRESS, 30)


def test_units_owing_a_report_are_reminded_before_the_report_day(world, small) -> None:
    from campaigns.reminders import remind_missing_reports
    from notifications.models import Notification

    def reminders(key: str) -> list[str]:
        return list(Notification.objects.filter(recipient=world.users[key], kind="reminder")
                    .values_list("title", flat=True))

    assert remind_missing_reports(today=dt.date(2024, 3, 12)) == 0  # report day 03-25 is far off
    submit(world, small.dongshan)  # 东山 has reported on one of its two tasks
    assert remind_missing_reports(today=dt.date(2024, 3, 21)) > 0
    assert reminders("township_a") == ["请于3月25日前报送2024年3月整治任务进展（1项未报送）"]
    assert reminders("township_b") == ["请于3月25日前报送2024年3月整治任务进展（2项未报送）"]
    assert remind_missing_reports(today=dt.date(2024, 3, 22)) == 0  # once per period
