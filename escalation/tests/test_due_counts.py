"""The overdue / due-soon counts of the home cards and the 督办台 (``escalation.counts``) equal direct counts of what
each persona sees, after any sequence of writes through the services to sources of each kind — hazards (counts kept
in the same transaction; their 验收审查 deadlines), tips (standing counts; a unit arm), licences and the ledgers'
lapsing dates (standing counts of enterprise rows; a department's domain arm in rows per domain set), 督办事项
(counted directly: a unit's items) — explicit grants, refreshes, a department's domains changing, and days passing
after the last refresh. ``COVERED`` names, for every registered source, the operations that write it or why none
does. And the cards and the 督办台 cost the same number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import grants
from enterprises import services as enterprise_services
from enterprises.models import Licence
from escalation import counts, supervision
from escalation import services as escalation_services
from escalation.cards import board_card, due_card, my_supervision_card
from escalation.loaders import load_escalation_defaults
from escalation.registry import SOURCES
from escalation.selectors import due_summary, open_visible
from hazards import services as hazard_services
from hazards import workflow as hazard_workflow
from hazards.choices import Grade, Source
from hazards.models import Hazard
from hazards.tests.factories import MAJOR_REPORT
from ledgers import services as ledger_services
from ledgers.models import EmergencyPlan, SpecialEquipment, WorkerCertificate
from orgs import services as org_services
from orgs.models import Domain, Jurisdiction, Unit
from tests.personas import USERS, World
from tips import services as tip_services
from tips.models import Tip
from tips.tests.factories import emergency_bureau, submit
from workdays.services import add_workdays

pytestmark = pytest.mark.django_db

PERSONAS = list(USERS)
HAZARD_MOVES = ["assess", "plan", "start", "apply", "accept", "void", "extend", "close"]
TIP_MOVES = ["assign", "dismiss", "verify", "reply"]

op_hazard = st.tuples(st.just("hazard"), st.sampled_from(["self_a", "self_b", "gov", "place"]),
                      st.one_of(st.none(), st.integers(-6, 12)))
op_hazard_move = st.tuples(st.just("hazard_move"), st.integers(0, 40), st.sampled_from(HAZARD_MOVES),
                           st.integers(-3, 8))
op_tip = st.tuples(st.just("tip"), st.sampled_from(["东山街道", "山枣镇"]), st.integers(0, 8))
op_tip_move = st.tuples(st.just("tip_move"), st.integers(0, 40), st.sampled_from(TIP_MOVES))
op_licence = st.tuples(st.just("licence"), st.sampled_from(["ent_a1", "ent_a2", "ent_b1", "ent_park"]),
                       st.integers(-40, 40))
op_licence_change = st.tuples(st.just("licence_change"), st.integers(0, 40), st.one_of(st.none(), st.integers(-40, 40)))
op_grant = st.tuples(st.just("grant"), st.sampled_from(["enterprise", "hazard"]), st.integers(0, 40))
op_refresh = st.tuples(st.just("refresh"))
op_ledger = st.tuples(st.just("ledger"), st.sampled_from(["equipment", "certificate", "plan"]),
                      st.sampled_from(["ent_a1", "ent_a2", "ent_b2", "ent_park"]), st.integers(-40, 40))
op_item = st.tuples(st.just("item"), st.sampled_from(["东山街道", "山枣镇", "市应急管理局"]), st.integers(-6, 6))
op_domains = st.tuples(st.just("domains"), st.sampled_from(["D1", "D3", "D9"]))
operation = st.one_of(op_hazard, op_hazard_move, op_hazard_move, op_tip, op_tip_move, op_licence, op_licence_change,
                      op_grant, op_refresh, op_ledger, op_item, op_domains)

# Every registered source: the operations of this test that write its items, or why it is not written here.
COVERED = {
    "hazards.hazard": "hazard, hazard_move, grant",
    "hazards.review": "hazard_move (apply: a review deadline)",
    "tips.accept": "tip", "tips.verify": "tip_move", "tips.reply": "tip_move",
    "ledgers.licence": "licence, licence_change, domains",
    "ledgers.equipment_inspection": "ledger equipment", "ledgers.worker_certificate": "ledger certificate",
    "ledgers.plan_review": "ledger plan",
    "escalation.supervision": "item",
}
NOT_COVERED = {
    # The same kind of rows as the ledgers above (enterprise rows, ``CountKeys()``): one rule, one code path.
    "ledgers.open_permit": "an enterprise row like ledgers.worker_certificate; a permit needs its workflow to stay open",
    "ledgers.custom_due": "an enterprise row like the other ledgers; needs a ledger definition per domain",
    "checks.due": "enterprise rows or premises by domain column (``CountKeys()``), as ledgers; made by the plan "
                  "generator, not one service call",
    "enforcement.review": "enterprise rows plus a unit arm (``CountKeys()``), as ledgers and tips; made by the "
                          "inspection workflow",
    "enforcement.decision": "as enforcement.review (cases)", "enforcement.publication": "as enforcement.review",
    "accidents.evaluation": "a domain column (``CountKeys(domain=...)``), as hazards; made by the accident workflow",
    "campaigns.task": "a domain column plus a unit arm, as hazards and tips; made by campaign imports",
    "campaigns.milestone": "counted directly (scoped through its task), as 督办事项, which this test writes",
}


def _nth(model: Any, i: int) -> Any:
    rows = list(model.objects.order_by("pk"))
    return rows[i % len(rows)] if rows else None


def _hazard(world: World, how: str, offset: int | None) -> None:
    today = timezone.localdate()
    common: dict[str, Any] = {"grade": Grade.GENERAL, "today": today - dt.timedelta(days=10), **MAJOR_REPORT,
                              "deadline": None if offset is None else today + dt.timedelta(days=offset)}
    if how == "place":
        hazard_services.hazard_register(actor=world.user("township_a"), description="路段护栏缺失",
                                        source=Source.GOVERNMENT, place="东山路K2+300",
                                        jurisdiction=Jurisdiction.objects.get(name="东山街道"),
                                        domain=Domain.objects.get(code="D12"), **common)
    elif how == "gov":
        hazard_services.hazard_register(actor=world.user("inspector"), enterprise=world.enterprises["ent_b1"],
                                        description="防护栏缺失", source=Source.GOVERNMENT, **common)
    else:
        key = how[-1]
        hazard_services.hazard_register(actor=world.user(f"enterprise_{key}"),
                                        enterprise=world.enterprises[f"ent_{key}1"], description="配电柜前堆放杂物",
                                        source=Source.SELF_CHECK, **common)


def _hazard_move(world: World, i: int, action: str, days: int) -> None:
    hazard = _nth(Hazard, i)
    if hazard is None:
        return
    found = hazard_workflow.TRANSITIONS.find(hazard.status, action)
    if found is None:
        return
    to, move = found
    today = timezone.localdate()
    data = {"grade": Grade.GENERAL, "result": "整改完成",
            "deadline": (hazard.deadline or today) + dt.timedelta(days=abs(days) + 1)}
    users = [world.user(k) for k in ("enterprise_a", "enterprise_b", "regulator", "township_a", "township_b",
                                     "inspector", "office")]
    for user in users:
        if move.who(user, hazard):
            hazard_services.hazard_transition(hazard=hazard, to=to, actor=user, note="理由", **data)
            return


def _tip_move(world: World, i: int, action: str) -> None:
    tip = _nth(Tip, i)
    if tip is None:
        return
    for key in ("township_a", "township_b", "regulator", "office"):
        user = world.user(key)
        try:
            if action == "verify":
                tip_services.tip_verify(actor=user, tip=tip, verification="现场核查：情况属实。", confirmed=True)
            else:
                tip_services.tip_transition(actor=user, tip=tip, action=action, note="理由",
                                            assigned_unit=emergency_bureau(), reply="已责令整改。")
            return
        except (ValidationError, PermissionDenied):
            continue


def _apply(world: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    today = timezone.localdate()
    try:
        if kind == "hazard":
            _hazard(world, op[1], op[2])
        elif kind == "hazard_move":
            _hazard_move(world, op[1], op[2], op[3])
        elif kind == "tip":
            submit(world, place=op[1], now=timezone.now() - dt.timedelta(days=op[2]))
        elif kind == "tip_move":
            _tip_move(world, op[1], op[2])
        elif kind == "licence":
            enterprise_services.licence_create(actor=None, enterprise=world.enterprises[op[1]], kind="safety",
                                               number=f"L-{Licence.objects.count()}",
                                               valid_until=today + dt.timedelta(days=op[2]))
        elif kind == "licence_change":
            licence = _nth(Licence, op[1])
            if licence is not None:
                if op[2] is None:
                    enterprise_services.licence_delete(actor=None, licence=licence)
                else:
                    enterprise_services.licence_update(actor=None, licence=licence, kind=licence.kind,
                                                       number=licence.number,
                                                       valid_until=today + dt.timedelta(days=op[2]))
        elif kind == "grant":
            hazard = _nth(Hazard, op[2])
            if hazard is not None:
                obj = hazard.enterprise if op[1] == "enterprise" and hazard.enterprise_id else hazard
                grants.grant_create(actor=world.user("office"), obj=obj, reason="抽查任务",
                                    valid_until=timezone.now() + dt.timedelta(days=3), user=world.user("expert"))
        elif kind == "refresh":
            counts.refresh()
        elif kind == "ledger":
            _ledger(world, op[1], op[2], today + dt.timedelta(days=op[3]))
        elif kind == "item":
            assignee = Unit.objects.get(name=op[1])
            supervision.item_assign(actor=world.user("office"), title="督办：清理消防通道", assignee=assignee,
                                    deadline=today + dt.timedelta(days=op[2]), today=today - dt.timedelta(days=10))
        elif kind == "domains":
            # A department's domains change: its new set is counted directly until the next refresh.
            unit = Unit.objects.get(name="市消防救援大队")
            domains = set(unit.domains.all()) ^ {Domain.objects.get(code=op[1])}
            if domains:
                org_services.unit_save(actor=world.user("sysadmin"), name=unit.name, kind=unit.kind,
                                       jurisdiction=unit.jurisdiction, parent=unit.parent, domains=domains,
                                       aliases=unit.aliases.values_list("alias", flat=True), active=unit.active,
                                       sort=unit.sort, collective=unit.collective, synthetic=unit.synthetic)
    except (ValidationError, PermissionDenied):
        pass  # refused writes write nothing


def _ledger(world: World, kind: str, enterprise: str, day: dt.date) -> None:
    ent = world.enterprises[enterprise]
    if kind == "equipment":
        ledger_services.row_create(actor=None, model=SpecialEquipment, enterprise=ent, kind="boiler", name="锅炉",
                                   next_inspection=day)
    elif kind == "certificate":
        ledger_services.row_create(actor=None, model=WorkerCertificate, enterprise=ent, person_name="张三",
                                   id_number="430381199001011234", operation_type="welding",
                                   certificate_number=f"T{WorkerCertificate.objects.count()}", expires_on=day)
    else:
        ledger_services.row_create(actor=None, model=EmergencyPlan, enterprise=ent, title="综合应急预案",
                                   level="comprehensive", next_review=day)


def _figures(user: Any, day: dt.date, *, live: bool) -> dict[str, tuple[int, int]]:
    return {r["key"]: (r["overdue"], r["due_soon"]) for r in due_summary(user, today=day, live=live)}


def assert_cards_equal_direct(world: World, day: dt.date) -> None:
    for key in PERSONAS:
        user = world.user(key)
        assert _figures(user, day, live=False) == _figures(user, day, live=True), (key, day)


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=20), later=st.integers(1, 12))
def test_card_counts_equal_direct_counts_after_any_sequence(world: World, ops: list[tuple[Any, ...]],
                                                            later: int) -> None:
    for op in ops:
        _apply(world, op)
    counts.refresh()
    today = timezone.localdate()
    assert_cards_equal_direct(world, today)
    # Days pass after the refresh: the rows are keyed by deadline day, so overdue and due soon stay right.
    assert_cards_equal_direct(world, today + dt.timedelta(days=later))


def test_every_registered_source_is_written_by_the_property_test_or_says_why_not() -> None:
    assert set(COVERED) | set(NOT_COVERED) == set(SOURCES)
    assert not set(COVERED) & set(NOT_COVERED)


def test_hazard_counts_need_no_refresh(world: World) -> None:
    """Hazards are counted from rows kept in the write's transaction: right at once, never stale."""
    counts.refresh()
    _hazard(world, "self_a", -2)
    _hazard(world, "gov", 1)
    today = timezone.localdate()
    for key in PERSONAS:
        user = world.user(key)
        live = _figures(user, today, live=True)["hazards.hazard"]
        assert _figures(user, today, live=False)["hazards.hazard"] == live, key
    assert _figures(world.user("township_a"), today, live=True)["hazards.hazard"] == (1, 0)


def test_standing_counts_say_when_they_were_counted(world: World) -> None:
    submit(world, now=timezone.now() - dt.timedelta(days=8))
    user = world.user("township_a")
    assert due_card(user)["counted_at"] is None  # never counted by the worker: counted now
    counts.refresh()
    card = due_card(user)
    assert card["counted_at"] is not None
    assert [r["overdue"] for r in card["rows"] if r["key"] == "tips.accept"] == [1]
    # A change after the refresh waits for the next one, and the card says as of when it counts.
    submit(world, now=timezone.now() - dt.timedelta(days=8))
    assert [r["overdue"] for r in due_card(user)["rows"] if r["key"] == "tips.accept"] == [1]
    counts.refresh()
    assert [r["overdue"] for r in due_card(user)["rows"] if r["key"] == "tips.accept"] == [2]


def test_open_items_and_scope_are_one_query_without_a_subquery(world: World) -> None:
    """Where a source's open items are a queryset of its model, the scope filters them directly: no ``pk IN``."""
    user = world.user("office")
    for source in SOURCES.values():
        items = source.open_items()
        if items.model is not source.model or not hasattr(items, "visible_to"):
            continue
        sql = str(open_visible(user, source).query)
        table = source.model._meta.db_table
        assert f'"{table}"."id" IN (SELECT' not in sql, source.key


def _card_queries(user: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        due_card(user)
        board_card(user)
        my_supervision_card(user)
    return len(ctx.captured_queries)


def _some_items(world: World, n: int) -> None:
    for i in range(n):
        _hazard(world, ["self_a", "self_b", "gov", "place"][i % 4], i % 7 - 3)
        submit(world, place=["东山街道", "山枣镇"][i % 2], now=timezone.now() - dt.timedelta(days=i % 9))
        enterprise_services.licence_create(actor=None, enterprise=world.enterprises[["ent_a1", "ent_b1"][i % 2]],
                                           kind="safety", number=f"Q-{n}-{i}",
                                           valid_until=timezone.localdate() + dt.timedelta(days=i % 40 - 20))


def test_home_escalation_cards_do_not_grow_with_data(world: World, django_assert_max_num_queries: Any) -> None:
    _some_items(world, 2)
    counts.refresh()
    before = {key: _card_queries(world.user(key)) for key in PERSONAS}
    _some_items(world, 12)
    counts.refresh()
    after = {key: _card_queries(world.user(key)) for key in PERSONAS}
    assert after == before
    with django_assert_max_num_queries(3 * len(SOURCES) + 10):
        due_card(world.user("office"))
        board_card(world.user("office"))


BOARD_PERSONAS = ["office", "township_a", "township_b", "regulator", "regulator_fire", "inspector"]


def _long_overdue_items(world: World, n: int) -> None:
    """督办事项 whose deadline passed 11 working days ago in both townships, swept: 约谈 proposed on the board."""
    load_escalation_defaults()
    today = timezone.localdate()
    deadline = add_workdays(today, -11)
    for i in range(n):
        supervision.item_assign(actor=world.user("office"), title=f"燃气管道排查{i}",
                                assignee=Unit.objects.get(name=["东山街道", "山枣镇", "市应急管理局"][i % 3]),
                                deadline=deadline, today=deadline - dt.timedelta(days=30))
    escalation_services.sweep(today=today)


def _page_statements(client: Client, world: World) -> dict[tuple[str, str], int]:
    out = {}
    for key in PERSONAS:
        client.force_login(world.users[key])
        for url in ("/", reverse("escalation:board")):
            client.get(url)  # the first request after a login also writes the session
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(url).status_code
            if status == 200:
                out[(key, url)] = len(ctx.captured_queries)
    return out


def test_board_and_home_statements_do_not_grow_with_data(client: Client, world: World) -> None:
    """The 督办台 and the home page cost the same statements with a few items of every kind as with many more,
    and the 督办台 a fixed number whatever the number of registered sources (the summary is one statement)."""
    _some_items(world, 2)
    for kind, ent in (("equipment", "ent_a1"), ("certificate", "ent_park"), ("plan", "ent_b2")):
        _ledger(world, kind, ent, timezone.localdate())
    _long_overdue_items(world, 3)
    counts.refresh()
    before = _page_statements(client, world)
    _some_items(world, 12)
    for i in range(12):
        _ledger(world, ["equipment", "certificate", "plan"][i % 3], ["ent_a1", "ent_a2", "ent_b2", "ent_park"][i % 4],
                timezone.localdate() + dt.timedelta(days=i - 6))
    _long_overdue_items(world, 9)
    counts.refresh()
    after = _page_statements(client, world)
    assert after == before
    board = reverse("escalation:board")
    assert {key for key, url in after if url == board} == set(BOARD_PERSONAS)
    # Session, user, roles, domains, the pending count and page, when each source was counted, the summary, the
    # latest records, notifications, the unit filter: no statement per source.
    assert max(n for (key, url), n in after.items() if url == board) <= 14 < len(SOURCES)
