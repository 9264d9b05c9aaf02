"""Property: after any sequence of enterprise and credit writes through the services — enterprises created one by
one and by the import (COPY on PostgreSQL), re-imported and updated to another township or other domains, credit
events registered, revoked and repaired, listings decided and removed, explicit grants, and time passing past
events' expiry followed by the periodic sweep — the maintained counts equal a recount from the enterprises, the
stored classes equal the classes computed from the events, and the figures every persona reads (the enterprise
card, the credit card and panel) equal direct counts of what it sees.

Time passes by moving ``timezone.localdate`` forward (never back, across examples too: the database keeps what
earlier examples wrote); the services, the sweep and the direct counts all read the day from it."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import grants
from core.scoping import scope_for
from credit import services as credit_services
from credit import standing
from credit.choices import BlacklistStatus, EventKind, StandardLevel
from credit.models import BlacklistEntry, CreditEvent
from credit.selectors import classes_for_ids, distribution, distribution_for
from enterprises import services, tally
from enterprises.credit_code import make_credit_code
from enterprises.importer import import_enterprises
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_counts, enterprise_counts_for, total_for
from enterprises.tests.test_credit_code_and_import import _xlsx
from orgs.models import Domain, Jurisdiction
from tests.personas import USERS, World

pytestmark = pytest.mark.django_db

PERSONAS = list(USERS)
PLACES = ["东山街道", "山枣镇", "湘乡经济开发区"]
# Sets of domains, a multi-domain enterprise among them (it must be counted once in every total).
DOMAIN_SETS = [[], ["D12"], ["D3"], ["D1", "D9"], ["D12", "D3"], ["D1", "D12", "D3"]]
SHORT = {"D1": "危险化学品（烟花爆竹）", "D3": "消防", "D9": "工业园区等功能区", "D12": "工贸行业"}

_codes = itertools.count(1)
# Days added to the real date so far: only ever grows, since the database outlives one example.
_offset = [0]

create = st.tuples(st.just("create"), st.sampled_from(PLACES), st.integers(0, len(DOMAIN_SETS) - 1))
imported = st.tuples(st.just("import"), st.lists(st.tuples(st.sampled_from(PLACES),
                                                           st.integers(0, len(DOMAIN_SETS) - 1)),
                                                 min_size=1, max_size=3), st.integers(-1, 20))
change = st.tuples(st.just("change"), st.integers(0, 40), st.one_of(st.none(), st.sampled_from(PLACES)),
                   st.one_of(st.none(), st.integers(0, len(DOMAIN_SETS) - 1)))
event = st.tuples(st.just("event"), st.integers(0, 40), st.sampled_from(["obstruction", "standard"]),
                  st.sampled_from([0, 400, 1090, 1094]))
revoke = st.tuples(st.just("revoke"), st.integers(0, 40))
listing = st.tuples(st.just("list"), st.integers(0, 40))
unlist = st.tuples(st.just("unlist"), st.integers(0, 40))
repair = st.tuples(st.just("repair"), st.sampled_from(["a", "b"]))
grant = st.tuples(st.just("grant"), st.integers(0, 40))
time = st.tuples(st.just("time"), st.sampled_from([1, 3, 30, 400]))
operation = st.one_of(create, imported, change, change, event, event, event, revoke, listing, unlist, repair, grant,
                      time, time)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """``timezone.localdate()`` is the real date plus ``_offset`` days (with an argument it converts as usual)."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> dt.date:
        if value is not None:
            return real(value, timezone)
        return real() + dt.timedelta(days=_offset[0])

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _domains(index: int) -> list[Domain]:
    return list(Domain.objects.filter(code__in=DOMAIN_SETS[index]))


def _nth(i: int) -> Enterprise | None:
    ents = list(Enterprise.objects.order_by("pk"))
    return ents[i % len(ents)] if ents else None


def _import(world: World, rows: list[tuple[str, int]], again: int) -> None:
    """Import new enterprises; ``again`` ≥ 0 also re-imports an earlier imported one to the first row's place and
    domains (an update by the import)."""
    lines = []
    for place, dset in rows:
        n = next(_codes)
        lines.append([f"导入汇总测试{n}有限公司", make_credit_code(f"91430381TP{n:07d}"), place,
                      "、".join(SHORT[c] for c in DOMAIN_SETS[dset]), "", "3110", f"测试路{n}号"])
    earlier = list(Enterprise.objects.filter(name__startswith="导入汇总测试").order_by("pk"))
    if again >= 0 and earlier:
        ent = earlier[again % len(earlier)]
        place, dset = rows[0]
        lines.append([ent.name, ent.credit_code, place, "、".join(SHORT[c] for c in DOMAIN_SETS[dset]), "", "3110",
                      "新地址1号"])
    outcome = import_enterprises(actor=world.user("office"), file=_xlsx(lines))
    assert outcome.ok, outcome.errors


def _apply(world: World, op: tuple[Any, ...]) -> None:
    kind = op[0]
    office = world.user("office")
    today = timezone.localdate()
    try:
        if kind == "create":
            n = next(_codes)
            services.enterprise_create(actor=None, name=f"汇总测试{n}有限公司",
                                       credit_code=make_credit_code(f"91430381TQ{n:07d}"),
                                       jurisdiction=Jurisdiction.objects.get(name=op[1]), domains=_domains(op[2]))
        elif kind == "import":
            _import(world, op[1], op[2])
        elif kind == "change":
            ent = _nth(op[1])
            values: dict[str, Any] = {}
            if op[2] is not None:
                values["jurisdiction"] = Jurisdiction.objects.get(name=op[2])
            services.enterprise_update(actor=None, enterprise=ent,
                                       domains=None if op[3] is None else _domains(op[3]), **values)
        elif kind == "event":
            ent = _nth(op[1])
            extra = {"level": StandardLevel.TWO} if op[2] == "standard" else {}
            credit_services.event_register(
                actor=office, enterprise=ent, grounds="拒绝执法人员进入生产车间检查",
                kind=EventKind.STANDARDIZATION if op[2] == "standard" else EventKind.OBSTRUCTION,
                occurred_on=today - dt.timedelta(days=op[3]), **extra)
        elif kind == "revoke":
            ent = _nth(op[1])
            e = CreditEvent.objects.filter(enterprise=ent, revoked_at__isnull=True).order_by("pk").first()
            if e is not None:
                credit_services.event_revoke(actor=office, event=e, reason="误录")
        elif kind == "list":
            ent = _nth(op[1])
            entry = credit_services.blacklist_propose(actor=office, enterprise=ent, grounds="发生较大生产安全责任事故")
            credit_services.blacklist_transition(actor=office, entry=entry, action="decide",
                                                 statement="企业未提出陈述申辩", listed_on=today)
        elif kind == "unlist":
            ent = _nth(op[1])
            entry = BlacklistEntry.objects.filter(enterprise=ent, status=BlacklistStatus.LISTED).first()
            if entry is not None:
                credit_services.blacklist_transition(actor=office, entry=entry, action="remove", note="依法移出")
        elif kind == "repair":
            user = world.user(f"enterprise_{op[1]}")
            ent = world.enterprises[f"ent_{op[1]}1"]
            live = [e for e in CreditEvent.objects.filter(enterprise=ent, points__lt=0)
                    if e.counts_on(today) and e.occurred_on <= today - dt.timedelta(days=365)]
            if live:
                application = credit_services.repair_apply(actor=user, enterprise=ent, events=live[:1],
                                                           rectification="已整改", commitment="承诺守法经营")
                credit_services.repair_transition(actor=office, application=application, action="approve")
        elif kind == "grant":
            ent = _nth(op[1])
            grants.grant_create(actor=office, obj=ent, reason="抽查任务",
                                valid_until=timezone.now() + dt.timedelta(days=3), user=world.user("expert"))
        elif kind == "time":
            _offset[0] += op[1]
            standing.sweep()  # what the periodic credit.collect does after its collectors
    except (ValidationError, PermissionDenied):
        pass  # refused writes write nothing, counts and classes included


def assert_counts_equal_direct(world: World) -> None:
    today = timezone.localdate()
    assert tally.snapshot() == tally.tally_rows(Enterprise.objects.all())
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    computed = {pk: k for pk, k in classes_for_ids(ids, today).items() if k != "a"}
    assert dict(Enterprise.objects.exclude(credit_class="a").values_list("pk", "credit_class")) == computed
    for key in PERSONAS:
        user = world.user(key)
        visible = Enterprise.objects.visible_to(user)
        assert enterprise_counts_for(user) == enterprise_counts(visible), key
        assert distribution_for(user) == distribution(visible, today), key
        total = total_for(user)  # the unfiltered list's total (None: a scope with grants counts its rows)
        assert total == visible.count() or (total is None and scope_for(user).grantee_id), key


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=20))
def test_counts_equal_direct_counts_after_any_sequence(world: World, clock: None, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        _apply(world, op)
    assert_counts_equal_direct(world)


def test_the_property_is_not_vacuous(world: World, clock: None) -> None:
    """A fixed sequence reaches what the property must cover: a multi-domain enterprise, an import and a re-import
    that moves one, a move and a change of domains, every class (a listing, events), an event that expires with
    time and a sweep that notices, a revocation, a repair, a grant; and the figures are not all zero."""
    ops: list[tuple[Any, ...]] = [
        ("create", "东山街道", 5), ("import", [("山枣镇", 3), ("东山街道", 4)], -1),
        ("import", [("湘乡经济开发区", 1)], 0), ("change", 0, "山枣镇", 2),
        ("event", 5, "obstruction", 1094), ("event", 6, "obstruction", 400), ("event", 6, "obstruction", 0),
        ("event", 7, "standard", 0), ("list", 1), ("revoke", 6), ("repair", "a"), ("grant", 6)]
    ent_a1 = world.enterprises["ent_a1"]
    credit_services.event_register(actor=world.user("office"), enterprise=ent_a1, grounds="拒绝检查",
                                   kind=EventKind.OBSTRUCTION, occurred_on=timezone.localdate() - dt.timedelta(days=400))
    for op in ops:
        _apply(world, op)
    assert_counts_equal_direct(world)
    expiring = Enterprise.objects.order_by("pk")[5]
    assert expiring.credit_class == "c"  # one obstruction: 100 − 30 = 70
    _apply(world, ("time", 3))
    expiring.refresh_from_db()
    assert expiring.credit_class == "a"  # its one event expired and the sweep saw it
    assert_counts_equal_direct(world)
    office = world.user("office")
    assert enterprise_counts_for(office)["total"] == Enterprise.objects.count()
    classes = distribution_for(office)
    assert classes["d"] >= 1 and classes["a"] >= 1
    assert any(len(k.strip(",").split(",")) > 1 for _p, k, _c in tally.snapshot())
    assert CreditEvent.objects.filter(repaired_at__isnull=False).exists()
    assert CreditEvent.objects.filter(revoked_at__isnull=False).exists()


def test_a_large_import_pauses_between_batches_while_users_are_active(world: World, clock: None, settings,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Between its batches of new rows (only rows no one else sees yet are written then) a large import pauses
    while users are active, as the sweep does between its transactions; the counts are still right."""
    from core import background
    from enterprises import importer

    pauses: list[float] = []
    settings.ANZHI_BACKGROUND_YIELD = 2
    monkeypatch.setattr(importer, "WRITE_BATCH", 2)
    monkeypatch.setattr(background, "users_active", lambda: 4)
    monkeypatch.setattr(background.time, "sleep", pauses.append)
    lines = [[f"分批导入测试{n}有限公司", make_credit_code(f"91430381TB{n:07d}"), PLACES[n % 3], "工贸行业", "", "3110",
              f"测试路{n}号"] for n in range(5)]
    outcome = import_enterprises(actor=world.user("office"), file=_xlsx(lines))
    assert outcome.ok, outcome.errors
    assert outcome.created == 5 and len(pauses) == 2  # three batches: a pause after each but the last
    assert outcome.timings["paused"] == pytest.approx(sum(pauses)) and all(p > 0 for p in pauses)
    assert_counts_equal_direct(world)
    monkeypatch.setattr(background, "users_active", lambda: 0)  # an idle database: no pause
    lines = [[f"分批导入测试{n}有限公司", make_credit_code(f"91430381TB{n:07d}"), "东山街道", "工贸行业", "", "3110",
              f"测试路{n}号"] for n in range(5, 10)]
    outcome = import_enterprises(actor=world.user("office"), file=_xlsx(lines))
    assert outcome.ok and len(pauses) == 2 and not outcome.timings.get("paused")
