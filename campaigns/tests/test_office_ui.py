"""The campaign office builds a campaign from nothing in the UI: campaign, phase, plan, task."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Task, TaskUnit
from orgs.models import Domain, Jurisdiction, Unit

pytestmark = pytest.mark.django_db


def test_office_creates_campaign_phase_plan_and_task(client, world) -> None:
    client.force_login(world.users["office"])
    root = Jurisdiction.objects.get(code="430381")
    response = client.post(reverse("campaigns:create"), {
        "name": "安全生产治本攻坚三年行动", "short_name": "治本攻坚", "document_number": "湘乡安发〔2024〕1号",
        "issuer": "湘乡市安全生产委员会", "starts_on": "2024-01-01", "ends_on": "2026-12-31",
        "report_interval": "quarterly", "report_day": 20, "office_unit": Unit.objects.get(name="市安委办").pk,
        "jurisdiction": root.pk})
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get(short_name="治本攻坚")
    assert campaign.report_interval == "quarterly"
    assert client.post(reverse("campaigns:phases", args=[campaign.pk]), {
        "name": "动员部署", "kind": "mobilize", "starts_on": "2024-01-01", "ends_on": "2024-03-31", "text": "",
        "sort": 1}).status_code == 302
    response = client.post(reverse("campaigns:plan_create", args=[campaign.pk]), {
        "kind": "domain", "code": "D3", "title": "消防安全治本攻坚方案", "short_name": "消防",
        "domain": Domain.objects.get(code="D3").pk, "sort": 1,
        "lead_units": [Unit.objects.get(name="市消防救援大队").pk]})
    assert response.status_code == 302
    plan = campaign.plans.get(code="D3")
    response = client.post(reverse("campaigns:task_create", args=[campaign.pk]), {
        "plan": plan.pk, "number": "1", "title": "电动自行车集中充电设施建设", "measures": "每个社区建成充电棚",
        "lead_units": [Unit.objects.get(name="市消防救援大队").pk],
        "implementing_units": [Unit.objects.get(name="各乡镇（街道）").pk], "deadline_text": "3月底前"})
    assert response.status_code == 302
    task = Task.objects.get(plan=plan)
    assert str(task.deadline) == "2024-03-31" and task.deadline_text == "3月底前"
    assert task.phase.name == "动员部署"
    assert TaskUnit.objects.filter(task=task, unit__name="东山街道", role="implementing").exists()
    bad = client.post(reverse("campaigns:task_create", args=[campaign.pk]), {
        "plan": plan.pk, "title": "x", "deadline_text": "找时间"})
    assert bad.status_code == 200 and "无法识别" in bad.content.decode()
    for name in ("overview", "tasks", "phases", "indicators", "lists", "report"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 200, name
    assert client.get(reverse("campaigns:task_detail", args=[task.pk])).status_code == 200
    assert client.get(reverse("campaigns:plan", args=[plan.pk])).status_code == 200


def test_townships_cannot_create_campaigns(client, world) -> None:
    client.force_login(world.users["township_a"])
    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.get(reverse("campaigns:list")).status_code == 200
