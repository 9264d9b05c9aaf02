"""The 督办台's pending decisions: paged, filtered by kind, measure and unit, decided many at once with one note
(each through the record workflow), all or nothing (issue 14 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from core.models import ChangeEvent
from escalation import services, supervision
from escalation.choices import Action, RecordStatus
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord
from orgs.models import Unit
from tests.personas import World
from workdays.services import add_workdays

KEY = supervision.SOURCE_KEY
BOARD = "/escalation/"
BATCH = "/escalation/records/decide/"


def _overdue(world: World, n: int, unit: str = "东山街道", prefix: str = "事项") -> None:
    today = timezone.localdate()
    deadline = add_workdays(today, -11)
    for i in range(n):
        supervision.item_assign(actor=world.user("office"), title=f"{prefix}{i}", assignee=Unit.objects.get(name=unit),
                                deadline=deadline, today=deadline - dt.timedelta(days=30))


@pytest.fixture
def pending(world: World) -> list[EscalationRecord]:
    load_escalation_defaults()
    _overdue(world, 3, "东山街道", "东山事项")
    _overdue(world, 2, "山枣镇", "山枣事项")
    services.sweep(today=timezone.localdate())
    records = list(EscalationRecord.objects.filter(status=RecordStatus.PROPOSED).order_by("pk"))
    assert len(records) == 5 and {r.action for r in records} == {Action.TALK}
    return records


def _status(records: list[EscalationRecord]) -> set[str]:
    return set(EscalationRecord.objects.filter(pk__in=[r.pk for r in records]).values_list("status", flat=True))


def test_batch_confirm_applies_one_decision_and_one_note_to_each(client: Client, world: World,
                                                                 pending: list[EscalationRecord]) -> None:
    client.force_login(world.users["office"])
    chosen = pending[:4]
    before = ChangeEvent.objects.filter(action="escalation.confirm").count()
    response = client.post(BATCH, {"ids": [r.pk for r in chosen], "decision": "confirm", "note": "集中约谈"},
                           follow=True)
    assert response.status_code == 200
    assert "已确认执行 4 项督办措施" in response.content.decode()
    for record in EscalationRecord.objects.filter(pk__in=[r.pk for r in chosen]):
        assert record.status == RecordStatus.CONFIRMED and record.decided_by_id == world.users["office"].pk
        assert "集中约谈" in record.note
    assert ChangeEvent.objects.filter(action="escalation.confirm").count() == before + 4  # one per item
    assert _status(pending[4:]) == {RecordStatus.PROPOSED}


def test_batch_dismiss_needs_the_one_note(client: Client, world: World, pending: list[EscalationRecord]) -> None:
    client.force_login(world.users["office"])
    client.post(BATCH, {"ids": [r.pk for r in pending], "decision": "dismiss", "note": " "})
    assert _status(pending) == {RecordStatus.PROPOSED}
    client.post(BATCH, {"ids": [r.pk for r in pending], "decision": "dismiss", "note": "已现场核实整改"})
    assert _status(pending) == {RecordStatus.DISMISSED}


def test_a_refused_item_refuses_the_whole_batch_with_a_report(client: Client, world: World,
                                                             pending: list[EscalationRecord]) -> None:
    client.force_login(world.users["office"])
    services.decide(actor=world.user("office"), record=pending[0], confirm=True, note="先行决定")
    response = client.post(BATCH, {"ids": [r.pk for r in pending], "decision": "confirm", "note": "x"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("未作任何决定" in m for m in shown), shown
    assert any(pending[0].object_title in m and "已经决定" in m for m in shown), shown
    assert _status(pending[1:]) == {RecordStatus.PROPOSED}  # nothing partial


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999", "0", "-1", "１２"])
def test_hostile_ids_refuse_the_whole_batch_as_not_found(client: Client, world: World,
                                                        pending: list[EscalationRecord], bad: str) -> None:
    client.force_login(world.users["office"])
    response = client.post(BATCH, {"ids": [pending[0].pk, bad], "decision": "confirm", "note": "x"})
    assert response.status_code == 404
    assert _status(pending) == {RecordStatus.PROPOSED}


def test_ids_out_of_scope_refuse_the_whole_batch_as_not_found(client: Client, world: World,
                                                             pending: list[EscalationRecord]) -> None:
    outside = EscalationRecord.objects.create(
        source_key="gone.source", object_type="gone.thing", object_id=1, object_title="外县事项", action=Action.TALK,
        status=RecordStatus.PROPOSED, due_date=timezone.localdate(), jurisdiction_path="/999999/")
    client.force_login(world.users["office"])
    response = client.post(BATCH, {"ids": [pending[0].pk, outside.pk], "decision": "confirm", "note": "x"})
    assert response.status_code == 404
    assert _status([*pending, outside]) == {RecordStatus.PROPOSED}
    missing = EscalationRecord.objects.order_by("-pk").first().pk + 1000
    assert client.post(BATCH, {"ids": [pending[1].pk, missing], "decision": "confirm"}).status_code == 404
    assert _status(pending) == {RecordStatus.PROPOSED}


def test_only_the_office_decides_in_batch(client: Client, world: World, pending: list[EscalationRecord]) -> None:
    for key in ("township_a", "regulator", "enterprise_a"):
        client.force_login(world.users[key])
        assert client.post(BATCH, {"ids": [pending[0].pk], "decision": "confirm"}).status_code == 403
    assert _status(pending) == {RecordStatus.PROPOSED}


def test_board_filters_by_unit_and_kind_and_pages(client: Client, world: World,
                                                  pending: list[EscalationRecord]) -> None:
    client.force_login(world.users["office"])
    dongshan = Unit.objects.get(name="东山街道")
    response = client.get(f"{BOARD}?unit={dongshan.pk}")
    titles = {r.object_title for r in response.context["objects"]}
    assert titles == {"东山事项0", "东山事项1", "东山事项2"}
    assert response.context["pending_count"] == 3
    response = client.get(f"{BOARD}?source=hazards.hazard")
    assert list(response.context["objects"]) == []
    assert "没有符合条件的待决定措施" in response.content.decode()
    assert len(client.get(f"{BOARD}?source={KEY}").context["objects"]) == 5
    html = client.get(BOARD).content.decode()
    for label in ("事项类别", "拟采取措施", "责任单位"):  # every filter says what it filters
        assert f">{label}</label>" in html
    assert "---------" not in html
    # A township sees only its own territory's proposals on its board (and cannot decide).
    client.force_login(world.users["township_b"])
    response = client.get(BOARD)
    assert {r.object_title for r in response.context["objects"]} == {"山枣事项0", "山枣事项1"}
    assert 'data-testid="batch-form"' not in response.content.decode()


def test_board_pages_and_its_queries_do_not_grow_with_the_rows(client: Client, world: World,
                                                               pending: list[EscalationRecord],
                                                               django_assert_max_num_queries) -> None:  # noqa: ANN001
    client.force_login(world.users["office"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    _overdue(world, 30, "山枣镇", "更多事项")
    services.sweep(today=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BOARD)
    assert len(response.context["objects"]) == 20 and response.context["pending_count"] == 35
    assert response.context["page"].has_next()
    second = client.get(f"{BOARD}?page=2")
    assert len(second.context["objects"]) == 15
    assert 'class="text-nowrap">' in response.content.decode()  # dates do not wrap


def test_a_backlog_past_the_board_s_cap_says_more_than(client: Client, world: World, pending: list[EscalationRecord],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The pending count stops at the board's own cap and says "> cap", never a false exact number."""
    from escalation.views.board import BoardView

    monkeypatch.setattr(BoardView, "count_cap", 100)  # ANZHI_COUNT_CAP's floor is 100
    _overdue(world, 100, "山枣镇", "积压事项")
    services.sweep(today=timezone.localdate())
    client.force_login(world.users["office"])
    response = client.get(BOARD)
    assert response.context["pending_capped"] and response.context["pending_count"] == 100
    assert 'data-testid="pending-count">&gt;100<' in response.content.decode()
    home = client.get("/").content.decode()  # the home card says what the board says
    assert 'data-testid="board-pending"><div class="fs-4">&gt;100<' in home
    response = client.get(f"{BOARD}?source={KEY}&unit={Unit.objects.get(name='东山街道').pk}")
    assert not response.context["pending_capped"] and response.context["pending_count"] == 3
