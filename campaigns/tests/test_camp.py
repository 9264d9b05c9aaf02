"""Issue #16 items 4 and 6: each unit's part of a task, the campaign lifecycle, campaigns as first-class objects
(plan types, goals by form, import and API, deleting a draft and a mistaken import), 我的任务, notifications and
reports counted by the right period."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from campaigns import deadline_sources, lifecycle, reminders, reports, selectors, services, workflow
from campaigns.choices import (
    CampaignStage,
    PartStatus,
    PlanKind,
    ReportAction,
    ReportedStatus,
    StageAction,
    TaskStatus,
    UnitRole,
)
from campaigns.models import Campaign, Goal, Task, TaskUnit
from campaigns.tests.conftest import Small, assign
from core.models import ChangeEvent
from core.xlsx import Workbook
from orgs.models import Domain, Unit
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 3, 10)


def _shared(small: Small) -> Task:
    """A task two townships lead together, with a department co-operating."""
    return services.task_create(actor=None, plan=small.plan, title="乡镇联合消防通道整治",
                                units=assign(("东山街道", UnitRole.LEAD), ("山枣镇", UnitRole.LEAD),
                                             ("市消防救援大队", UnitRole.COOP)),
                                **services.deadline_values("2024年3月底", default_year=2024))


def _report(world, task: Task, key: str, *, done: bool = True, percent: int = 100, narrative: str = "已完成",
            day: dt.date = TODAY):
    return workflow.report_submit(actor=world.user(key), task=task,
                                  reported_status=ReportedStatus.DONE if done else ReportedStatus.IN_PROGRESS,
                                  narrative=narrative, percent=percent, today=day,
                                  now=dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC))


def _accept(world, report) -> None:
    workflow.report_review(actor=world.user("office"), report=report, action=ReportAction.ACCEPT)


def _part(task: Task, name: str) -> TaskUnit:
    return TaskUnit.objects.get(task=task, unit__name=name)


# -- item 4: per-unit work ----------------------------------------------------------------------------
def test_accepting_one_townships_report_completes_its_part_only(world, small) -> None:
    task = _shared(small)
    _accept(world, _report(world, task, "township_a"))
    task.refresh_from_db()
    assert _part(task, "东山街道").status == PartStatus.DONE
    assert _part(task, "山枣镇").status == PartStatus.OPEN
    assert task.status == TaskStatus.IN_PROGRESS and task.percent == 50
    # The overview credits 东山街道 alone; 山枣镇 is late on its part, 东山街道 is not.
    rows = {r.label: r for r in selectors.by_unit(Task.objects.filter(pk=task.pk), dt.date(2024, 4, 10))}
    assert (rows["东山街道"].done, rows["东山街道"].overdue) == (1, 0)
    assert (rows["山枣镇"].done, rows["山枣镇"].overdue) == (0, 1)
    assert (rows["东山街道"].lead, rows["东山街道"].coop, rows["市消防救援大队"].coop) == (1, 0, 1)
    # Escalation acts on the parts still open: 东山街道 hears nothing more of this task.
    assert {u.name for u in deadline_sources.responsible(task).units} == {"山枣镇", "市消防救援大队"}
    with pytest.raises(ValidationError, match="本单位承担的部分已确认完成"):
        _report(world, task, "township_a")
    _accept(world, _report(world, task, "township_b"))
    task.refresh_from_db()
    # Both leads done: the task is done; the co-operating department's part does not hold it open.
    assert task.status == TaskStatus.DONE and task.percent == 100 and task.completed_on is not None
    assert _part(task, "市消防救援大队").status == PartStatus.OPEN
    _accept(world, _report(world, task, "regulator_fire", narrative="配合完成"))  # 配合 still reports on its own
    assert _part(task, "市消防救援大队").status == PartStatus.DONE


def test_a_task_naming_only_cooperating_units_is_decided_by_them(world, small) -> None:
    task = services.task_create(actor=None, plan=small.plan, title="配合任务",
                                units=assign(("东山街道", UnitRole.COOP), ("山枣镇", UnitRole.COOP)))
    _accept(world, _report(world, task, "township_a"))
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    _accept(world, _report(world, task, "township_b"))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


PARTS = st.lists(st.tuples(st.sampled_from(UnitRole.values), st.sampled_from(PartStatus.values),
                           st.integers(0, 100)), min_size=1, max_size=8)


@given(PARTS)
def test_a_task_is_done_exactly_when_every_deciding_part_is(parts) -> None:
    links = [TaskUnit(role=role, status=status, percent=100 if status == PartStatus.DONE else percent,
                      completed_on=dt.date(2024, 1, 1) if status == PartStatus.DONE else None)
             for role, status, percent in parts]
    for link in links:
        link.unit = Unit(name="单位", collective=False)
    status, percent, _day = workflow.decide_task(links)
    deciding = [p for p in links if p.role in ("lead", "implementing")] or links
    assert (status == TaskStatus.DONE) == all(p.status == PartStatus.DONE for p in deciding)
    assert 0 <= percent <= 100


def test_the_task_page_states_the_rule_and_keeps_leads_and_cooperating_apart(client, world, small) -> None:
    task = _shared(small)
    client.force_login(world.user("township_a"))
    page = client.get(reverse("campaigns:task_detail", args=[task.pk])).content.decode()
    assert "所有牵头单位和实施单位的部分均经采纳为已完成" in page
    parts = page[page.index('id="parts"'):]
    assert parts.index("<b>牵头</b>") < parts.index("<td>东山街道") < parts.index("<td>山枣镇") \
        < parts.index("<b>配合</b>") < parts.index("<td>市消防救援大队")
    assert f'name="unit_id" value="{Unit.objects.get(name="东山街道").pk}"' in page


# -- item 6: the lifecycle --------------------------------------------------------------------------
def test_closing_a_campaign_stops_reminders_and_escalation(world, small) -> None:
    office = world.user("office")
    lifecycle.campaign_transition(actor=office, campaign=small.campaign, action=StageAction.START)
    assert Task.objects.filter(campaign=small.campaign) & deadline_sources.open_tasks()
    assert reminders.remind_missing_reports(today=dt.date(2024, 3, 22)) > 0
    lifecycle.campaign_transition(actor=office, campaign=small.campaign, action=StageAction.CLOSE)
    assert not deadline_sources.open_tasks().filter(campaign=small.campaign).exists()
    assert reminders.remind_missing_reports(today=dt.date(2024, 4, 22)) == 0
    with pytest.raises(ValidationError):  # reopening needs a reason
        lifecycle.campaign_transition(actor=office, campaign=small.campaign, action=StageAction.REOPEN)
    with pytest.raises(PermissionDenied):
        lifecycle.campaign_transition(actor=world.user("township_a"), campaign=small.campaign,
                                      action=StageAction.ARCHIVE)


def test_an_archived_campaign_is_read_only_in_services_and_pages(client, world, small) -> None:
    office = world.user("office")
    report = _report(world, small.dongshan, "township_a")
    for action in (StageAction.START, StageAction.CLOSE, StageAction.ARCHIVE):
        lifecycle.campaign_transition(actor=office, campaign=small.campaign, action=action)
    small.campaign.refresh_from_db()
    refusals = [
        lambda: _report(world, small.shanzao, "township_b"),
        lambda: workflow.report_review(actor=office, report=report, action=ReportAction.ACCEPT),
        lambda: services.task_update(actor=office, task=small.dongshan, title="改"),
        lambda: services.phase_save(actor=office, campaign=small.campaign, name="新阶段",
                                    starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 2, 1)),
        lambda: services.plan_type_save(actor=office, campaign=small.campaign, code="X", name="新行动"),
        lambda: services.task_create(actor=office, plan=small.plan, title="新任务"),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError, match="已归档"):
            refuse()
    client.force_login(office)
    overview = client.get(reverse("campaigns:overview", args=[small.campaign.pk])).content.decode()
    assert "本行动已归档" in overview and reverse("campaigns:edit", args=[small.campaign.pk]) not in overview
    task_page = client.get(reverse("campaigns:task_detail", args=[small.dongshan.pk])).content.decode()
    assert 'data-testid="accept"' not in task_page
    client.force_login(world.user("township_b"))
    assert 'id="report-form"' not in client.get(
        reverse("campaigns:task_detail", args=[small.shanzao.pk])).content.decode()


def test_a_draft_campaign_is_deleted_with_a_record_but_not_once_reported(world, small) -> None:
    office = world.user("office")
    draft = services.campaign_create(actor=office, name="误建的行动", starts_on=dt.date(2024, 1, 1),
                                     ends_on=dt.date(2024, 12, 31), office_unit=small.campaign.office_unit,
                                     jurisdiction=small.campaign.jurisdiction)
    assert draft.stage == CampaignStage.PREPARE
    with pytest.raises(PermissionDenied):
        lifecycle.campaign_delete(actor=world.user("township_a"), campaign=draft)
    pk = draft.pk
    lifecycle.campaign_delete(actor=office, campaign=draft)
    assert not Campaign.objects.filter(pk=pk).exists()
    assert ChangeEvent.objects.filter(action="campaigns.delete", object_id=str(pk)).exists()
    _report(world, small.dongshan, "township_a")
    with pytest.raises(ValidationError, match="进展报送"):
        lifecycle.campaign_delete(actor=office, campaign=small.campaign)
    lifecycle.campaign_transition(actor=office, campaign=small.campaign, action=StageAction.START)
    with pytest.raises(ValidationError, match="筹备"):
        lifecycle.campaign_delete(actor=office, campaign=small.campaign)


def test_close_stale_archives_a_campaign_long_over_and_keeps_it_readable(client, world, small) -> None:
    closed = lifecycle.close_stale(today=dt.date(2027, 3, 1))
    assert [c.pk for c in closed] == [small.campaign.pk]
    small.campaign.refresh_from_db()
    assert small.campaign.stage == CampaignStage.ARCHIVED
    assert not deadline_sources.open_tasks().filter(campaign=small.campaign).exists()
    assert lifecycle.close_stale(today=dt.date(2027, 3, 1)) == []
    client.force_login(world.user("township_a"))
    assert client.get(reverse("campaigns:task_detail", args=[small.dongshan.pk])).status_code == 200
    mine = client.get(reverse("campaigns:my_tasks")).content.decode()
    assert "东山消防通道划线" not in mine  # archived campaigns leave 我的任务 unless asked for
    assert "东山消防通道划线" in client.get(reverse("campaigns:my_tasks"), {"archived": "true"}).content.decode()


def test_a_mistaken_table_import_is_deleted_until_a_report_arrives(world, small) -> None:
    from campaigns import tasktable

    book = Workbook()
    ws = book.sheet("清单")
    ws.write_row(0, ["序号", "任务", "整治措施", "责任单位", "计划完成时间"])
    ws.write_row(1, ["1", "清理楼道杂物", "逐栋清理", "东山街道", "2024年6月底"])
    ws.write_row(2, ["2", "检查灭火器", "逐户检查", "山枣镇", "2024年6月底"])
    office = world.user("office")
    result = tasktable.import_table(actor=office, plan=small.plan, data=io.BytesIO(book.getvalue()), year=2024)
    assert result.ok, result.errors
    assert services.table_delete(actor=office, plan=small.plan, year=2024) == 2
    assert ChangeEvent.objects.filter(action="campaigns.table_delete").count() == 1
    tasktable.import_table(actor=office, plan=small.plan, data=io.BytesIO(book.getvalue()), year=2024)
    task = Task.objects.get(plan=small.plan, title="清理楼道杂物")
    _report(world, task, "township_a")
    with pytest.raises(ValidationError, match="进展报送"):
        services.table_delete(actor=office, plan=small.plan, year=2024)


# -- plan types and goals ----------------------------------------------------------------------------
def test_each_campaign_has_its_own_plan_types(world, small) -> None:
    office = world.user("office")
    action = services.plan_type_save(actor=office, campaign=small.campaign, code="A1", name="企业主体责任落实行动",
                                     kind=PlanKind.DOMAIN, domain=Domain.objects.get(code="D3"))
    plan = services.plan_save(actor=office, campaign=small.campaign, plan_type=action, title="企业主体责任落实行动方案",
                              short_name="主体责任", kind="")
    assert (plan.code, plan.kind, plan.domain.code) == ("A1", PlanKind.DOMAIN, "D3")
    other = services.campaign_create(actor=office, name="另一行动", starts_on=dt.date(2024, 1, 1),
                                     ends_on=dt.date(2024, 12, 31), office_unit=small.campaign.office_unit,
                                     jurisdiction=small.campaign.jurisdiction)
    with pytest.raises(ValidationError, match="不属于本行动"):
        services.plan_save(actor=office, campaign=other, plan_type=action, title="错", short_name="错", kind="")
    with pytest.raises(ValidationError, match="已有方案"):
        services.plan_type_delete(actor=office, plan_type=action)


def test_goals_by_form_import_and_api(client, world, small) -> None:
    from campaigns.goal_import import IMPORTER

    office = world.user("office")
    client.force_login(office)
    response = client.post(reverse("campaigns:goal_create", args=[small.plan.pk]),
                           {"text": "消防通道畅通率达到100%", "metric": "消防通道畅通率", "comparison": "ge",
                            "target_value": "100", "measure_unit": "%"})
    assert response.status_code == 302
    assert Goal.objects.get(plan=small.plan, metric="消防通道畅通率").measurable
    book = Workbook()
    ws = book.sheet("目标")
    ws.write_row(0, ["方案", "目标", "指标", "目标值", "完成期限"])
    ws.write_row(1, ["消防", "整治消防隐患", "隐患整改率", "95%以上", "2024年底"])
    ws.write_row(2, ["D3", "建立长效机制", "", "建立", ""])
    outcome = IMPORTER.run(actor=office, file=io.BytesIO(book.getvalue()), params={"campaign": small.campaign.pk})
    assert outcome.ok and outcome.created == 2, outcome.errors
    indicator = Goal.objects.get(plan=small.plan, text="整治消防隐患")
    assert (indicator.comparison, indicator.target_value, indicator.deadline) == ("ge", 95, dt.date(2024, 12, 31))
    assert not Goal.objects.get(text="建立长效机制").measurable
    bad = Workbook()
    ws = bad.sheet("目标")
    ws.write_row(0, ["方案", "目标"])
    ws.write_row(1, ["不存在的方案", "目标"])
    refused = IMPORTER.run(actor=office, file=io.BytesIO(bad.getvalue()), params={"campaign": small.campaign.pk})
    assert not refused.ok and "不是本行动的方案" in str(refused.errors[0].message)
    with pytest.raises(PermissionDenied):
        IMPORTER.run(actor=world.user("township_a"), file=io.BytesIO(book.getvalue()),
                     params={"campaign": small.campaign.pk})
    api = APIClient()
    api.force_authenticate(office)
    created = api.post("/api/v1/campaign-goals/", {"plan": small.master.pk, "text": "培训覆盖率不低于90%",
                                                   "comparison": "ge", "target_value": "90", "measure_unit": "%"},
                       format="json")
    assert created.status_code == 201, created.content
    assert_matches_schema(created, "post")
    listing = api.get("/api/v1/campaign-goals/", {"campaign": small.campaign.pk})
    assert_matches_schema(listing)
    assert listing.json()["count"] == 4
    township = APIClient()
    township.force_authenticate(world.user("township_a"))
    assert township.post("/api/v1/campaign-goals/", {"plan": small.plan.pk, "text": "x"},
                         format="json").status_code == 403
    assert api.delete(f"/api/v1/campaign-goals/{created.json()['id']}/").status_code == 204


def test_campaign_stage_through_the_api(world, small) -> None:
    api = APIClient()
    api.force_authenticate(world.user("office"))
    response = api.post(f"/api/v1/campaigns/{small.campaign.pk}/stage/", {"action": "start"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "running"
    assert_matches_schema(response, "post")
    assert api.post(f"/api/v1/campaigns/{small.campaign.pk}/stage/", {"action": "archive"},
                    format="json").status_code == 400
    township = APIClient()
    township.force_authenticate(world.user("township_b"))
    assert township.post(f"/api/v1/campaigns/{small.campaign.pk}/stage/", {"action": "close"},
                         format="json").status_code == 403
    task = api.get(f"/api/v1/campaign-tasks/{small.townships.pk}/").json()
    assert [p["unit_name"] for p in task["lead_units"]] == ["市消防救援大队"]
    assert "东山街道" in [p["unit_name"] for p in task["coop_units"]]
    assert all("status" in p for p in task["coop_units"])


# -- notifications -----------------------------------------------------------------------------------
def test_units_hear_of_new_tasks_and_the_office_of_new_reports(world, small,
                                                               django_capture_on_commit_callbacks) -> None:
    from notifications.models import Notification

    office = world.user("office")
    with django_capture_on_commit_callbacks(execute=True):
        task = services.task_create(actor=office, plan=small.plan, title="新分配的任务",
                                    units=assign(("东山街道", UnitRole.LEAD)))
    note = Notification.objects.filter(recipient=world.users["township_a"]).latest("pk")
    assert "新分配整治任务" in note.title and note.url == reverse("campaigns:task_detail", args=[task.pk])
    assert not Notification.objects.filter(recipient=world.users["township_b"], title__contains="新分配").exists()
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(world, task, "township_a", narrative="已开展排查")
    arrived = Notification.objects.filter(recipient=world.users["office"]).latest("pk")
    assert "待审核进展报送" in arrived.title and "东山街道" in arrived.title and "已开展排查" in arrived.body
    assert arrived.url.startswith(reverse("campaigns:reviews"))
    assert report.pk


# -- 我的任务 ---------------------------------------------------------------------------------------
def test_my_tasks_filters_by_campaign_searches_pinyin_and_puts_overdue_first(client, world, small,
                                                                            django_assert_max_num_queries) -> None:
    office = world.user("office")
    later = services.campaign_create(actor=office, name="二〇二五行动", starts_on=dt.date(2025, 1, 1),
                                     ends_on=dt.date(2099, 12, 31), office_unit=small.campaign.office_unit,
                                     jurisdiction=small.campaign.jurisdiction)
    plan = services.plan_save(actor=office, campaign=later, kind=PlanKind.MASTER, code="master", title="总方案",
                              short_name="总方案")
    services.task_create(actor=office, plan=plan, title="燃气管道巡查", units=assign(("东山街道", UnitRole.LEAD)),
                         **services.deadline_values("2099年6月底", default_year=2099))
    client.force_login(world.user("township_a"))
    url = reverse("campaigns:my_tasks")
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    # 东山消防通道划线 (due 2024, overdue) comes before 燃气管道巡查 (due 2099)
    assert page.index("东山消防通道划线") < page.index("燃气管道巡查")
    only_later = client.get(url, {"campaign": later.pk}).content.decode()
    assert "燃气管道巡查" in only_later and "东山消防通道划线" not in only_later
    found = client.get(url, {"q": "xftd"}).content.decode()  # 消防通道: pinyin initials
    assert "东山消防通道划线" in found and "燃气管道巡查" not in found
    assert "燃气管道巡查" in client.get(url, {"q": "rqgd"}).content.decode()


# -- reports by the right period --------------------------------------------------------------------
def test_an_annual_report_made_in_november_does_not_count_december_as_overdue(world, small) -> None:
    december = services.task_create(actor=None, plan=small.plan, title="年底前完成的任务",
                                    units=assign(("东山街道", UnitRole.LEAD)),
                                    **services.deadline_values("2024年12月20日", default_year=2024))
    fig = reports.figures(world.user("office"), small.campaign, reports.ANNUAL, 2024, today=dt.date(2024, 11, 30))
    assert fig.period_open and "尚未结束" in fig.open_note
    after = reports.figures(world.user("office"), small.campaign, reports.ANNUAL, 2024, today=dt.date(2025, 1, 5))
    assert after.overdue == fig.overdue + 1 and not after.period_open
    assert december.deadline == dt.date(2024, 12, 20)


def test_the_monthly_report_counts_quarterly_reports_filed_in_its_month_with_their_narratives(world, small):
    small.campaign.report_interval = "quarterly"
    small.campaign.save()
    _report(world, small.dongshan, "township_a", done=False, percent=40, narrative="东山已划线四成",
            day=dt.date(2024, 11, 12))
    _report(world, small.shanzao, "township_b", done=False, percent=20, narrative="山枣正在排查",
            day=dt.date(2024, 11, 20))
    fig = reports.figures(world.user("office"), small.campaign, reports.MONTHLY, 2024, 11,
                          today=dt.date(2024, 12, 3))
    assert fig.reports_submitted == 2
    assert {(r.unit.name, r.narrative, r.period_label) for r in fig.unit_reports} == {
        ("东山街道", "东山已划线四成", "2024年第四季度"), ("山枣镇", "山枣正在排查", "2024年第四季度")}
    october = reports.figures(world.user("office"), small.campaign, reports.MONTHLY, 2024, 10,
                              today=dt.date(2024, 12, 3))
    assert october.reports_submitted == 0 and october.unit_reports == []  # same quarter, filed in November
    ctx = reports.docx_context(small.campaign, fig)
    assert {r["narrative"] for r in ctx["unit_reports"]} == {"东山已划线四成", "山枣正在排查"}
