from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from escalation import services, supervision
from escalation.choices import Action, ItemStatus, RecordStatus
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord, SupervisionItem
from orgs.models import Unit
from tests.openapi import assert_matches_schema
from workdays.services import add_workdays

KEY = supervision.SOURCE_KEY


def login(client: Client, world, key: str) -> Client:  # noqa: ANN001
    client.force_login(world.users[key])
    return client


@pytest.fixture
def overdue_item(world) -> SupervisionItem:  # noqa: ANN001
    """An item in 东山街道 whose deadline passed 10 or 11 working days ago (so 约谈 is proposed)."""
    load_escalation_defaults()
    today = timezone.localdate()
    deadline = add_workdays(today, -11)
    item = supervision.item_assign(actor=world.user("office"), title="东山街道燃气管道排查",
                                   assignee=Unit.objects.get(name="东山街道"), deadline=deadline,
                                   today=deadline - dt.timedelta(days=30))
    services.sweep(today=today)
    return item


def test_board_shows_counts_and_pending_decisions(client, world, overdue_item) -> None:  # noqa: ANN001
    login(client, world, "office")
    response = client.get(reverse("escalation:board"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "督办事项" in body and "待决定的督办措施" in body and "东山街道燃气管道排查" in body
    summary = {s["key"]: s for s in response.context["summary"]}
    assert summary[KEY]["overdue"] == 1
    assert response.context["pending_count"] == 1


def test_board_scope_for_townships(client, world, overdue_item) -> None:  # noqa: ANN001
    login(client, world, "township_b")
    response = client.get(reverse("escalation:board"))
    summary = {s["key"]: s for s in response.context["summary"]}
    assert summary[KEY]["overdue"] == 0 and response.context["pending_count"] == 0
    assert "东山街道燃气管道排查" not in response.content.decode()
    client.force_login(world.users["township_a"])
    response = client.get(reverse("escalation:items", args=[KEY]))
    assert [r["obj"].pk for r in response.context["rows"]] == [overdue_item.pk]


def test_board_forbidden_to_system_and_enterprise_accounts(client, world) -> None:  # noqa: ANN001
    for key in ("sysadmin", "enterprise_a"):
        client.force_login(world.users[key])
        assert client.get(reverse("escalation:board")).status_code == 403


def test_items_list_number_matches_rows_and_queries_bounded(client, world, overdue_item,  # noqa: ANN001
                                                          django_assert_max_num_queries) -> None:  # noqa: ANN001
    for i in range(5):
        supervision.item_assign(actor=world.user("office"), title=f"事项{i}", assignee=Unit.objects.get(name="山枣镇"),
                                deadline=add_workdays(timezone.localdate(), -2),
                                today=timezone.localdate() - dt.timedelta(days=40))
    services.sweep()
    login(client, world, "office")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("escalation:items", args=[KEY]) + "?which=overdue")
    assert len(response.context["rows"]) == 6
    assert response.context["rows"][0]["record"].action == Action.TALK
    from escalation.registry import SOURCES

    # One aggregate per registered source, whatever the number of rows.
    with django_assert_max_num_queries(12 + len(SOURCES)):
        client.get(reverse("escalation:board"))


def test_office_decides_on_the_board(client, world, overdue_item) -> None:  # noqa: ANN001
    talk = EscalationRecord.objects.get(action=Action.TALK)
    login(client, world, "township_a")
    assert client.post(reverse("escalation:decide", args=[talk.pk]), {"decision": "confirm"}).status_code == 403
    client.force_login(world.users["office"])
    response = client.post(reverse("escalation:decide", args=[talk.pk]), {"decision": "dismiss", "note": ""})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.status == RecordStatus.PROPOSED  # a dismissal needs a reason
    client.post(reverse("escalation:decide", args=[talk.pk]), {"decision": "confirm", "note": "约谈"})
    talk.refresh_from_db()
    assert talk.status == RecordStatus.CONFIRMED and talk.decided_by_id == world.users["office"].pk


def test_township_b_gets_404_for_township_a_item(client, world, overdue_item) -> None:  # noqa: ANN001
    login(client, world, "township_b")
    assert client.get(reverse("escalation:item_detail", args=[overdue_item.pk])).status_code == 404
    assert client.post(reverse("escalation:item_action", args=[overdue_item.pk, "done"]),
                       {"note": "x"}).status_code == 404
    response = client.get(reverse("escalation:item_list"))
    assert overdue_item not in response.context["objects"]
    talk = EscalationRecord.objects.get(action=Action.TALK)
    response = client.get(f"/api/v1/escalation/records/{talk.pk}/")
    assert response.status_code == 404


def test_supervision_item_journey(client, world) -> None:  # noqa: ANN001
    load_escalation_defaults()
    login(client, world, "office")
    deadline = timezone.localdate() + dt.timedelta(days=10)
    unit = Unit.objects.get(name="东山街道")
    response = client.post(reverse("escalation:item_create"), {
        "title": "校园周边安全隐患排查", "assignee": unit.pk, "deadline": deadline.isoformat(), "description": "全面排查"})
    assert response.status_code == 302, response.context["form"].errors
    item = SupervisionItem.objects.get(title="校园周边安全隐患排查")
    # Assigning outside the office's unit list is impossible; a township cannot assign at all.
    client.force_login(world.users["township_a"])
    assert client.get(reverse("escalation:item_create")).status_code == 403
    assert client.get(reverse("escalation:item_detail", args=[item.pk])).status_code == 200
    client.post(reverse("escalation:item_action", args=[item.pk, "done"]), {"note": "已完成排查 12 处"})
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    client.post(reverse("escalation:item_action", args=[item.pk, "close"]), {"note": ""})
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE  # the township cannot close its own item
    client.force_login(world.users["office"])
    client.post(reverse("escalation:item_action", args=[item.pk, "return"]), {"note": "缺少台账"})
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    response = client.get(reverse("escalation:item_detail", args=[item.pk]))
    assert "缺少台账" in response.content.decode()
    response = client.get(reverse("escalation:item_list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_ladder_pages(client, world) -> None:  # noqa: ANN001
    load_escalation_defaults()
    login(client, world, "township_a")
    assert client.get(reverse("escalation:ladders")).status_code == 200
    assert client.get(reverse("escalation:ladder_create")).status_code == 403
    client.force_login(world.users["office"])
    response = client.get(reverse("escalation:ladders"))
    assert "逾期督办" in response.content.decode()
    data = {"code": "hazard-fast", "name": "重大隐患督办", "applies_to": KEY, "active": "on",
            "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-order": "1", "steps-0-action": "circular", "steps-0-after_workdays": "2",
            "steps-0-notify_responsible": "on", "steps-1-order": "2", "steps-1-action": "listed",
            "steps-1-after_workdays": "5", "steps-1-needs_decision": "on"}
    response = client.post(reverse("escalation:ladder_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    from escalation.models import EscalationLadder

    ladder = EscalationLadder.objects.get(code="hazard-fast")
    assert list(ladder.steps.values_list("action", "after_workdays", "needs_decision")) == [
        ("circular", 2, False), ("listed", 5, True)]


def test_api_records_and_decide(client, world, overdue_item) -> None:  # noqa: ANN001
    login(client, world, "office")
    response = client.get("/api/v1/escalation/records/?status=proposed")
    assert response.status_code == 200
    assert_matches_schema(response, "get")
    assert [r["action"] for r in response.json()["results"]] == ["talk"]
    talk_id = response.json()["results"][0]["id"]
    client.force_login(world.users["township_a"])
    response = client.post(f"/api/v1/escalation/records/{talk_id}/decide/", {"confirm": True},
                           content_type="application/json")
    assert response.status_code == 403
    client.force_login(world.users["office"])
    response = client.post(f"/api/v1/escalation/records/{talk_id}/decide/", {"confirm": True, "note": "约谈"},
                           content_type="application/json")
    assert response.status_code == 200
    assert_matches_schema(response, "post")
    assert response.json()["status"] == "confirmed"
    response = client.get("/api/v1/escalation/due-summary/")
    assert_matches_schema(response, "get")
    assert {r["key"]: r["overdue"] for r in response.json()}[KEY] == 1


def test_run_sweep_command(world, capsys) -> None:  # noqa: ANN001
    from django.core.management import call_command

    load_escalation_defaults()
    supervision.item_assign(actor=world.user("office"), title="命令测试", assignee=Unit.objects.get(name="山枣镇"),
                            deadline=dt.date(2024, 2, 8), today=dt.date(2024, 1, 1))
    call_command("run_sweep", "--today", "2024-02-21")
    out = capsys.readouterr().out
    assert "督办巡查（2024-02-21）" in out and "执行督办措施 2 项" in out


def test_periodic_task_registered_and_runs(world) -> None:  # noqa: ANN001
    from core.background import PERIODIC
    from escalation.tasks import run_sweep

    assert PERIODIC["escalation.sweep"].task is run_sweep
    assert PERIODIC["escalation.sweep"].every == dt.timedelta(hours=1)
    load_escalation_defaults()
    item = supervision.item_assign(actor=world.user("office"), title="任务测试", assignee=Unit.objects.get(name="山枣镇"),
                                   deadline=add_workdays(timezone.localdate(), -1),
                                   today=timezone.localdate() - dt.timedelta(days=10))
    result = run_sweep.enqueue()  # the ImmediateBackend runs it at once, outside any audit context of ours
    assert result.return_value["applied"] >= 1
    assert EscalationRecord.objects.filter(source_key=KEY, object_id=item.pk, action=Action.REMINDER).exists()


def test_records_page_filters_and_scope(client, world, overdue_item, django_assert_max_num_queries) -> None:  # noqa: ANN001
    login(client, world, "office")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("escalation:records"))
    assert response.status_code == 200
    assert {r.action for r in response.context["objects"]} == {Action.REMINDER, Action.CIRCULAR, Action.TALK}
    assert all(r.source_label == "督办事项" for r in response.context["objects"])
    response = client.get(reverse("escalation:records") + "?status=proposed")
    assert [r.action for r in response.context["objects"]] == [Action.TALK]
    client.force_login(world.users["township_b"])
    response = client.get(reverse("escalation:records"))
    assert list(response.context["objects"]) == []
    client.force_login(world.users["township_a"])
    response = client.get(reverse("escalation:item_detail", args=[overdue_item.pk]))
    assert response.status_code == 200 and "约谈" in response.content.decode()
