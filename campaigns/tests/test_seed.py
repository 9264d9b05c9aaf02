from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from campaigns.choices import AssignmentSource, PlanKind, TaskSource, UnitRole
from campaigns.loaders import DATA_FILE, load_seed_campaign
from campaigns.models import Campaign, Goal, Phase, Plan, Task, TaskUnit
from core.models import ChangeEvent
from orgs.models import Unit

pytestmark = pytest.mark.django_db
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))


def test_seed_counts_match_the_json(seed) -> None:
    campaign, report = seed
    plans = DATA["plans"]
    assert Plan.objects.filter(campaign=campaign).count() == len(plans) == 15
    tasks = Task.objects.filter(campaign=campaign)
    assert tasks.filter(source=TaskSource.PLAN).count() == sum(len(p["tasks"]) for p in plans) == 278
    rows = sum(len((p["task_list_2020"] or {}).get("rows") or []) for p in plans)
    assert tasks.filter(source=TaskSource.TABLE).count() == rows == 116
    assert Goal.objects.filter(plan__campaign=campaign).count() == sum(len(p["goals"]) for p in plans) == 166
    assert list(Phase.objects.filter(campaign=campaign).values_list("name", flat=True)) == [
        "动员部署", "排查整治", "集中攻坚", "巩固提升"]
    for p in plans:
        plan = Plan.objects.get(campaign=campaign, code=p["code"])
        assert plan.tasks.filter(source=TaskSource.PLAN).count() == len(p["tasks"])
        assert plan.goals.count() == len(p["goals"])
    # 21 plan tasks name several years (stages) and 2 table rows several dates; 11 reporting duties (schedule file).
    assert report.counts == {"阶段": 4, "方案": 15, "任务": 278, "任务清单行": 116, "目标指标": 166,
                             "分阶段或周期任务": 23, "报送要求": 11}


def test_seed_keeps_the_text_next_to_the_parsed_value(seed) -> None:
    campaign, _ = seed
    d2 = Plan.objects.get(campaign=campaign, code="D2")
    assert d2.kind == PlanKind.DOMAIN and d2.domain.code == "D2" and d2.title.startswith("湘乡市非煤矿山")
    row = d2.tasks.get(source=TaskSource.TABLE, sort=1)
    assert (row.title, row.deadline_text, row.deadline.isoformat()) == ("矿山关闭", "2020年12月", "2020-12-31")
    assert row.responsibility_text == "市自然资源和规划局\n市应急管理局\n市生态环境局"
    links = {link.unit.name: (link.role, link.as_written) for link in row.unit_links.select_related("unit")}
    assert links["市自然资源局"] == (UnitRole.LEAD, "市自然资源和规划局")
    assert links["湘潭市生态环境局湘乡分局"] == (UnitRole.COOP, "市生态环境局")
    recurring = Task.objects.filter(campaign=campaign, deadline_text="定期开展，长期坚持").first()
    assert recurring.deadline is None and recurring.deadline_kind == "recurring"
    # D10: a blank merged cell takes its deadline from the row above, and says so.
    d10 = Task.objects.get(plan__campaign=campaign, plan__code="D10", source=TaskSource.TABLE, sort=3)
    assert d10.deadline_text == "2020年7月至12月" and "合并单元格" in d10.source_note
    goal = Goal.objects.filter(plan__campaign=campaign, target_text="75%以上").first()
    assert (goal.comparison, goal.target_value, goal.measure_unit) == ("ge", 75, "%")


def test_collective_township_tasks_reach_every_township(seed) -> None:
    campaign, report = seed
    dongshan = Unit.objects.get(name="东山街道")
    collective = Unit.objects.get(name="各乡镇（街道）")
    expanded = TaskUnit.objects.filter(task__campaign=campaign, unit=dongshan)
    assert expanded.exists()
    link = expanded.filter(via=collective).first()
    assert link.source == AssignmentSource.EXPANDED and link.as_written
    assert TaskUnit.objects.filter(task=link.task, unit=collective).exists()  # the original wording stays
    assert any("相关部门" in n for n in report.notes)  # collectives that cannot be expanded are reported


def test_seed_loader_is_idempotent(seed) -> None:
    campaign, _ = seed
    before = ChangeEvent.objects.count()
    counts = (Task.objects.count(), TaskUnit.objects.count(), Goal.objects.count())
    load_seed_campaign()
    assert ChangeEvent.objects.count() == before
    assert (Task.objects.count(), TaskUnit.objects.count(), Goal.objects.count()) == counts
    assert Campaign.objects.filter(source_key="xiangxiang-2020-7").count() == 1


def test_command_reports_in_chinese(world) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_seed_campaign", stdout=out, stderr=err)
    assert "任务清单行 116" in out.getvalue()
    assert "集合称谓" in out.getvalue()


def test_seed_overview_and_lists_are_scoped_with_bounded_queries(client, world, seed,
                                                                django_assert_max_num_queries) -> None:
    from django.urls import reverse

    campaign, _ = seed
    client.force_login(world.users["township_a"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("campaigns:overview", args=[campaign.pk]))
    mine = response.context["total"].total
    assert 0 < mine < 394
    assert mine == Task.objects.filter(campaign=campaign, unit_links__unit__name="东山街道").distinct().count()
    client.force_login(world.users["office"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("campaigns:overview", args=[campaign.pk]))
    assert response.context["total"].total == 394
    with django_assert_max_num_queries(20):
        assert client.get(reverse("campaigns:tasks", args=[campaign.pk]), {"plan": Plan.objects.get(
            campaign=campaign, code="D3").pk}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("campaigns:plan", args=[Plan.objects.get(campaign=campaign, code="D3").pk])
                          ).status_code == 200
