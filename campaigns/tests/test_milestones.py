"""Milestones: staged deadlines, recurring duties and deadlines after an event, each its own deadline on the
escalation engine; the seed campaign's reporting schedule, 保障措施 and checklists on its pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from campaigns import milestones, services
from campaigns.choices import MilestoneKind, UnitRole
from campaigns.deadline_sources import KEY, MILESTONE_KEY, open_tasks
from campaigns.loaders import DATA_FILE, SCHEDULE_FILE, load_seed_campaign
from campaigns.models import Milestone, ReportingDuty, Task
from campaigns.tests.conftest import assign
from core.models import ChangeEvent
from escalation import services as escalation
from escalation.choices import Action
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord
from workdays import services as workdays

pytestmark = pytest.mark.django_db
D = dt.date


def make(small, deadline: str, title: str = "老旧小区消防通道整治") -> Task:
    return services.task_create(actor=None, plan=small.plan, title=title,
                                units=assign(("东山街道", UnitRole.LEAD)),
                                **services.deadline_values(deadline, default_year=2024))


def rows(task: Task) -> list[tuple[str, str, dt.date | None]]:
    return list(task.milestones.order_by("due", "key").values_list("key", "kind", "due"))


# --- generation ------------------------------------------------------------------------------------------------

def test_staged_deadline_gives_one_milestone_per_stage(small) -> None:
    task = make(small, "2024年底前基本完成，2025年持续巩固")
    assert task.deadline == D(2025, 12, 31)  # the task keeps its last date
    assert rows(task) == [("s1", MilestoneKind.STAGE, D(2024, 12, 31)), ("s2", MilestoneKind.STAGE, D(2025, 12, 31))]
    assert list(task.milestones.order_by("key").values_list("text", flat=True)) == ["2024年底前基本完成",
                                                                                     "2025年持续巩固"]


def test_single_date_needs_no_milestone(small) -> None:
    assert rows(make(small, "2024年6月底前")) == []


def test_recurring_duty_generates_its_dates_for_the_campaign_span(small) -> None:
    task = make(small, "每年10月31日前报送")
    assert task.deadline is None and task.deadline_kind == "recurring" and task.recurrence == "yearly"
    assert rows(task) == [("2024-10-31", MilestoneKind.OCCURRENCE, D(2024, 10, 31)),
                          ("2025-10-31", MilestoneKind.OCCURRENCE, D(2025, 10, 31))]
    monthly = make(small, "每月25日前", title="月报")
    assert [d for _, _, d in rows(monthly)] == [D(y, m, 25) for y in (2024, 2025) for m in range(1, 13)]
    half = make(small, "每半年", title="半年小结")
    assert [d for _, _, d in rows(half)] == [D(2024, 6, 30), D(2024, 12, 31), D(2025, 6, 30), D(2025, 12, 31)]
    once_a_year = make(small, "每年开展一次", title="年度演练")
    assert [d for _, _, d in rows(once_a_year)] == [D(2024, 12, 31), D(2025, 12, 31)]
    since = make(small, "2025年起每季度", title="季度检查")
    assert [d for _, _, d in rows(since)] == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]


def test_generation_is_idempotent_and_follows_a_changed_phrase(small) -> None:
    task = make(small, "每年10月31日前报送")
    pks = set(task.milestones.values_list("pk", flat=True))
    assert milestones.milestones_sync(actor=None, task=task) == {"added": 0, "changed": 0, "removed": 0}
    assert set(task.milestones.values_list("pk", flat=True)) == pks  # same rows, same escalation history
    met = task.milestones.get(key="2024-10-31")
    milestones.milestone_mark_met(actor=None, milestone=met, met_on=D(2024, 10, 20))
    services.task_update(actor=None, task=task, **services.deadline_values("每半年", default_year=2024))
    keys = set(task.milestones.values_list("key", flat=True))
    # The met occurrence stays (history); the unmet yearly one is gone; the half-yearly ones are there.
    assert keys == {"2024-10-31", "2024-06-30", "2024-12-31", "2025-06-30", "2025-12-31"}
    # Recorded with the task's own create and update, in the same transaction.
    events = ChangeEvent.objects.filter(object_id=str(task.pk), action__in=["campaigns.create", "campaigns.update"],
                                        object_type="campaigns.task").order_by("pk")
    assert [e.changes.get("milestones") for e in events if "milestones" in e.changes] == [
        [0, {"added": 2, "changed": 0, "removed": 0}], [0, {"added": 4, "changed": 0, "removed": 1}]]


def test_relative_deadline_counts_working_days_from_the_recorded_event(world, small) -> None:
    workdays.invalidate()
    task = make(small, "收到通知后5个工作日内")
    assert task.deadline_kind == "relative" and task.deadline is None
    (m,) = task.milestones.all()
    assert (m.kind, m.due, m.workdays, m.event_text) == (MilestoneKind.RELATIVE, None, 5, "收到通知")
    assert m not in milestones.open_milestones()  # nothing to escalate before the event is known
    # 2024-02-08 (Thursday) + 5 working days: 02-09, 02-18 (a working Sunday), 02-19, 02-20, 02-21 (02-10..17 off).
    m = milestones.milestone_set_event(actor=world.user("office"), milestone=m, event_on=D(2024, 2, 8))
    assert m.due == workdays.add_workdays(D(2024, 2, 8), 5) == D(2024, 2, 21)
    with pytest.raises(Exception, match="1900"):
        milestones.milestone_set_event(actor=world.user("office"), milestone=m, event_on=D(1, 1, 1))


def test_undated_phrase_stays_pending_with_no_milestone(small) -> None:
    task = make(small, "按国家、省统一部署")
    assert (task.deadline_kind, task.deadline_text, rows(task)) == ("pending", "按国家、省统一部署", [])


def test_only_the_office_writes_milestones(world, small) -> None:
    task = make(small, "2024年底前基本完成，2025年持续巩固")
    m = task.milestones.first()
    with pytest.raises(Exception, match="安委办"):
        milestones.milestone_mark_met(actor=world.user("township_a"), milestone=m, met_on=D(2024, 5, 1))


def test_an_archived_campaign_milestone_cannot_be_met(world, small) -> None:
    from campaigns.choices import CampaignStage
    from campaigns.models import Campaign

    task = make(small, "2024年底前基本完成，2025年持续巩固")
    Campaign.objects.filter(pk=task.campaign_id).update(stage=CampaignStage.ARCHIVED)
    with pytest.raises(Exception, match="归档"):
        milestones.milestone_mark_met(actor=world.user("office"), milestone=task.milestones.first(),
                                      met_on=D(2024, 5, 1))
    assert not task.milestones.filter(met_on__isnull=False).exists()


# --- escalation ------------------------------------------------------------------------------------------------

def test_each_stage_escalates_on_its_own_and_the_task_leaves_the_engine(world, small) -> None:
    load_escalation_defaults()
    task = make(small, "2024年2月8日前完成排查，2024年6月底前完成整治")
    assert task not in open_tasks() and small.dongshan in open_tasks()
    first, second = task.milestones.order_by("due")
    assert {first, second} <= set(milestones.open_milestones())
    escalation.sweep(today=D(2024, 2, 28), sources=[MILESTONE_KEY, KEY])
    on_first = EscalationRecord.objects.filter(source_key=MILESTONE_KEY, object_id=first.pk)
    assert Action.REMINDER in set(on_first.values_list("action", flat=True))
    assert not EscalationRecord.objects.filter(source_key=MILESTONE_KEY, object_id=second.pk).exists()
    assert not EscalationRecord.objects.filter(source_key=KEY, object_id=task.pk).exists()
    # The office confirms the first stage: it leaves the engine; the second one is followed when it is due.
    milestones.milestone_mark_met(actor=world.user("office"), milestone=first, met_on=D(2024, 3, 1))
    assert first not in milestones.open_milestones() and second in milestones.open_milestones()
    escalation.sweep(today=D(2024, 7, 31), sources=[MILESTONE_KEY])
    assert EscalationRecord.objects.filter(source_key=MILESTONE_KEY, object_id=second.pk).exists()


# --- pages ------------------------------------------------------------------------------------------------------

def test_task_page_shows_milestones_and_the_office_confirms_one(client, world, small) -> None:
    task = make(small, "2024年底前基本完成，2025年持续巩固")
    url = reverse("campaigns:task_detail", args=[task.pk])
    client.force_login(world.users["township_a"])
    page = client.get(url).content.decode()
    assert 'data-testid="milestones"' in page and "2024年底前基本完成" in page and "data-testid=\"meet-s1\"" not in page
    m = task.milestones.get(key="s1")
    assert client.post(reverse("campaigns:milestone_meet", args=[m.pk])).status_code == 403
    client.force_login(world.users["township_b"])  # not linked to the task: it does not exist for them
    assert client.post(reverse("campaigns:milestone_meet", args=[m.pk])).status_code == 404
    client.force_login(world.users["office"])
    assert "data-testid=\"meet-s1\"" in client.get(url).content.decode()
    assert client.post(reverse("campaigns:milestone_meet", args=[m.pk])).status_code == 302
    m.refresh_from_db()
    assert m.met_on is not None and m.met_by_id == world.users["office"].pk


def test_task_list_shows_the_next_due_date(client, world, small, django_assert_max_num_queries) -> None:
    make(small, "2030年底前基本完成，2031年持续巩固")
    client.force_login(world.users["township_a"])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("campaigns:tasks", args=[small.campaign.pk])).content.decode()
    assert page.count('data-testid="next-due"') == 1 and "下一节点 2030年12月31日" in page


def test_next_due_is_the_earliest_open_milestone_from_today(world, small) -> None:
    task = make(small, "每季度")
    qs = Task.objects.filter(pk=task.pk)
    assert milestones.with_next_due(qs, D(2024, 4, 1)).get().next_due == D(2024, 6, 30)
    milestones.milestone_mark_met(actor=None, milestone=task.milestones.get(key="2024-06-30"), met_on=D(2024, 6, 1))
    assert milestones.with_next_due(qs, D(2024, 4, 1)).get().next_due == D(2024, 9, 30)
    assert milestones.with_next_due(qs, D(2026, 1, 1)).get().next_due is None  # past the span, no deadline


# --- the seed ----------------------------------------------------------------------------------------------------

def test_seed_stages_are_kept_and_the_seed_reporting_schedule_loaded(seed) -> None:
    campaign, report = seed
    fire = Task.objects.get(campaign=campaign, plan__code="master", number="二.3")
    assert [(m.due, m.text) for m in fire.milestones.order_by("due")] == [
        (D(2020, 12, 31), "2020年，制定“一区一策”治理方案"), (D(2021, 12, 31), "2021年，建成消防物联网监控系统"),
        (D(2022, 12, 31), "2022年底前分类分批完成督办整改")]
    table = Task.objects.get(campaign=campaign, deadline_text="1、2020年9月底前完成\n2、2020年12月底前完成")
    assert [m.due for m in table.milestones.order_by("due")] == [D(2020, 9, 30), D(2020, 12, 31)]
    schedule = json.loads(SCHEDULE_FILE.read_text(encoding="utf-8"))
    assert campaign.report_interval == schedule["progress_reports"]["interval"] == "quarterly"
    duties = list(ReportingDuty.objects.filter(campaign=campaign))
    assert [d.key for d in duties] == [d["key"] for d in schedule["duties"]]
    assert report.counts["报送要求"] == len(duties) == 11
    annual = next(d for d in duties if d.key == "annual-summary")
    assert annual.due_dates() == [D(2020, 12, 31), D(2021, 12, 31), D(2022, 12, 31)]
    final = next(d for d in duties if d.key == "final-evaluation")
    assert final.due_dates() == [D(2022, 12, 31)]
    monthly = next(d for d in duties if d.key == "d3-monthly")
    assert len(monthly.due_dates()) == 31  # 2020-06 … 2022-12
    again = load_seed_campaign()
    assert again.counts == report.counts
    assert ReportingDuty.objects.filter(campaign=campaign).count() == 11
    assert Milestone.objects.filter(task__campaign=campaign).count() == fire.milestones.count() + (
        Milestone.objects.filter(task__campaign=campaign).exclude(task=fire).count())


def test_seed_duties_quote_the_document_verbatim() -> None:
    """Every duty's text is in the plan data (which is checked against the source line by line)."""
    plan = DATA_FILE.read_text(encoding="utf-8")
    data = json.loads(plan)
    texts = json.dumps(data, ensure_ascii=False)
    for duty in json.loads(SCHEDULE_FILE.read_text(encoding="utf-8"))["duties"]:
        assert duty["text"] in texts, duty["key"]
        lines = {item.get("line") for p in data["plans"] for key in ("safeguards", "phases", "notes", "period")
                 for item in _items(p.get(key))} | {ph.get("line") for ph in data["phases"]}
        assert duty["line"] in lines or duty["line"] in _all_lines(data), duty["key"]


def _items(value: object) -> list[dict]:
    if isinstance(value, dict):
        return [value, *[i for i in value.get("items") or [] if isinstance(i, dict)]]
    return [i for i in value or [] if isinstance(i, dict)]


def _all_lines(node: object) -> set[int]:
    if isinstance(node, dict):
        out = {node["line"]} if isinstance(node.get("line"), int) else set()
        for v in node.values():
            out |= _all_lines(v)
        return out
    if isinstance(node, list):
        return set().union(*(_all_lines(v) for v in node)) if node else set()
    return set()


def test_requirements_page_shows_duties_safeguards_and_the_24_checklists(client, world, seed,
                                                                        django_assert_max_num_queries) -> None:
    campaign, _ = seed
    url = reverse("campaigns:requirements", args=[campaign.pk])
    client.force_login(world.users["office"])
    with django_assert_max_num_queries(15):
        response = client.get(url)
    page = response.content.decode()
    assert response.context["list_count"] == 24 and response.context["item_count"] == 144
    assert page.count('data-testid="duty-') == 11 and "2022年12月，市安委办对专项整治三年行动进行总结评估" in page
    assert "强化组织领导" in page and "强化考核问责" in page  # the master plan's 保障措施
    assert page.count('data-testid="checklist-') == 24
    assert "企业主要负责人安全生产“十个一次”" in page
    client.force_login(world.users["enterprise_b"])  # no task of the seed campaign reaches it
    assert client.get(url).status_code == 404
