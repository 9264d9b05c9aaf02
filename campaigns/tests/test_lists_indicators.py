from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from campaigns import goals, twolists
from campaigns.choices import Comparison, IndicatorStatus, ListKind
from campaigns.models import Goal, ListItem
from campaigns.targets import parse_target
from orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_each_unit_keeps_its_own_two_lists_and_the_office_rolls_up(client, world, small) -> None:
    dongshan, shanzao = Unit.objects.get(name="东山街道"), Unit.objects.get(name="山枣镇")
    item = twolists.list_item_save(actor=world.user("township_a"), campaign=small.campaign, unit=dongshan,
                                   kind=ListKind.PROBLEM, item="老旧小区消防通道被占用", measure="清理划线",
                                   owner="张三", deadline_text="10月底前")
    assert item.deadline == dt.date(2024, 10, 31) and item.deadline_text == "10月底前"
    twolists.list_item_save(actor=world.user("township_b"), campaign=small.campaign, unit=shanzao,
                            kind=ListKind.MEASURE, item="建立消防巡查制度", deadline_text="长期坚持")
    with pytest.raises(PermissionDenied):
        twolists.list_item_save(actor=world.user("township_b"), campaign=small.campaign, unit=dongshan,
                                entry=item, status="done")
    with pytest.raises(ValidationError):
        twolists.list_item_save(actor=world.user("township_a"), campaign=small.campaign, unit=dongshan,
                                kind=ListKind.PROBLEM, item="x", deadline_text="看情况吧再说")
    assert set(ListItem.objects.visible_to(world.user("township_a")).values_list("item", flat=True)) == {
        "老旧小区消防通道被占用"}
    assert ListItem.objects.visible_to(world.user("office")).count() == 2
    client.force_login(world.users["township_b"])
    url = reverse("campaigns:list_item_edit", args=[small.campaign.pk, item.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.users["office"])
    page = client.get(reverse("campaigns:lists", args=[small.campaign.pk]))
    assert "各单位汇总" in page.content.decode() and "山枣镇" in page.content.decode()
    export = client.get(reverse("campaigns:lists", args=[small.campaign.pk]), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 3 and {r[0] for r in rows[1:]} == {"东山街道", "山枣镇"}


def test_unit_adds_a_list_item_in_the_ui(client, world, small) -> None:
    client.force_login(world.users["township_a"])
    url = reverse("campaigns:list_item_create", args=[small.campaign.pk])
    response = client.post(url, {"kind": "measure", "item": "建立网格员巡查制度", "measure": "", "owner": "李四",
                                 "deadline_text": "2024年12月底前", "status": "open"})
    assert response.status_code == 302
    assert ListItem.objects.get().unit.name == "东山街道"


@pytest.mark.parametrize(("text", "expected"), [
    ("100%", (Comparison.GE, Decimal(100), "%")), ("75%以上", (Comparison.GE, Decimal(75), "%")),
    ("不低于75%", (Comparison.GE, Decimal(75), "%")), ("3座以上", (Comparison.GE, Decimal(3), "座")),
    ("杜绝", (Comparison.LE, Decimal(0), "")), ("动态清零", (Comparison.LE, Decimal(0), "")),
    ("建立", None), ("每年至少一次", None), ("1:3", None), ("5个工作日内", None),
])
def test_target_parsing(text, expected) -> None:
    assert parse_target(text) == expected


def test_indicator_status_from_reported_values(client, world, small) -> None:
    goal = goals.goal_save(actor=None, plan=small.plan, text="特种设备定检率达到90%", metric="定检率",
                           target_text="90%", comparison=Comparison.GE, target_value=Decimal(90), measure_unit="%",
                           deadline=dt.date(2024, 12, 31), deadline_text="2024年12月")
    assert goal.status(None, dt.date(2024, 6, 1)) == IndicatorStatus.NO_DATA
    with pytest.raises(PermissionDenied):  # 山枣镇 has no part in the fire plan
        goals.goal_report_value(actor=world.user("enterprise_a"), goal=goal, value=Decimal(80),
                                as_of=dt.date(2024, 6, 30))
    goals.goal_report_value(actor=world.user("office"), goal=goal, value=Decimal("85.5"), as_of=dt.date(2024, 6, 30))
    latest = goals.with_latest(Goal.objects.filter(pk=goal.pk)).get().latest_value
    assert goal.status(latest, dt.date(2024, 7, 1)) == IndicatorStatus.AT_RISK
    assert goal.status(latest, dt.date(2025, 1, 1)) == IndicatorStatus.MISSED
    goals.goal_report_value(actor=world.user("office"), goal=goal, value=Decimal(92), as_of=dt.date(2024, 9, 30))
    latest = goals.with_latest(Goal.objects.filter(pk=goal.pk)).get().latest_value
    assert goal.status(latest, dt.date(2025, 1, 1)) == IndicatorStatus.ON_TRACK
    client.force_login(world.users["office"])
    page = client.get(reverse("campaigns:indicators", args=[small.campaign.pk]), {"status": "on_track"})
    assert "定检率" in page.content.decode()
    client.force_login(world.users["enterprise_a"])
    assert client.get(reverse("campaigns:goal", args=[goal.pk])).status_code == 404
