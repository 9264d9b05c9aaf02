"""动态清零 (the figures and clearance pages) counts open major hazards directly over the scope, through the partial
index ``hz_major_open`` instead of a maintained count (they are few by nature). The counts equal the hazards each
persona sees; on PostgreSQL the grouped queries of a township (its path prefix), a department (its domains) and the
office can be answered from that index, so a change to the selectors' condition or to the index that breaks the
match fails here rather than at province size."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hazards.choices import OPEN_STATUSES, OVERDUE_STATUSES, Grade
from hazards.models import Hazard
from hazards.selectors import (
    CLEARANCE_GROUPS,
    clearance_by_territory,
    clearance_by_unit,
    clearance_cells,
    clearance_rows,
    clearance_tables,
)
from hazards.tests.factories import MAJOR_REPORT, enterprise_hazard, place_hazard
from tests.personas import USERS, World

pytestmark = pytest.mark.django_db

PERSONAS = [k for k in USERS if k not in ("sysadmin", "secadmin", "auditadmin")]


def _hazards(world: World) -> None:
    today = timezone.localdate()
    earlier = today - dt.timedelta(days=10)
    for days in (-2, 3):  # one overdue, one not
        enterprise_hazard(world, grade=Grade.MAJOR, deadline=today + dt.timedelta(days=days), today=earlier)
    enterprise_hazard(world, enterprise_key="ent_b1", actor_key="enterprise_b", grade=Grade.MAJOR,
                      deadline=today - dt.timedelta(days=1), today=earlier)
    enterprise_hazard(world, grade=Grade.GENERAL)
    place_hazard(world, grade=Grade.MAJOR, deadline=today - dt.timedelta(days=1), today=earlier, **MAJOR_REPORT)


def _expected(user: Any, key: str) -> dict[Any, tuple[int, int]]:
    today = timezone.localdate()
    counts: Counter = Counter()
    overdue: Counter = Counter()
    for h in Hazard.objects.visible_to(user).filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES):
        counts[getattr(h, key)] += 1
        overdue[getattr(h, key)] += h.status in OVERDUE_STATUSES and h.deadline is not None and h.deadline < today
    return {k: (n, overdue[k]) for k, n in counts.items()}


def test_clearance_counts_are_the_open_major_hazards_each_persona_sees(world: World) -> None:
    _hazards(world)
    for persona in PERSONAS:
        user = world.user(persona)
        qs = Hazard.objects.visible_to(user)
        for rows, by in ((clearance_by_unit(qs), "unit"), (clearance_by_territory(qs), "territory")):
            key = CLEARANCE_GROUPS[by][0]
            assert {r[key]: (r["open"], r["overdue"]) for r in rows} == _expected(user, key), (persona, by)
        # The pages' one query by unit × place gives both tables exactly, in the same order.
        assert clearance_tables(qs) == {"unit": clearance_by_unit(qs), "territory": clearance_by_territory(qs)}, persona
    office = clearance_by_territory(Hazard.objects.visible_to(world.user("office")))
    assert sum(r["open"] for r in office) == 4 and sum(r["overdue"] for r in office) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the partial index's plan is PostgreSQL's")
@pytest.mark.parametrize("persona", ["township_a", "regulator", "regulator_fire", "office"])
def test_clearance_reads_the_open_major_index(world: World, persona: str) -> None:
    _hazards(world)
    qs = Hazard.objects.visible_to(world.user(persona))
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows: without this the planner reads the table itself. What is checked is that the index
        # can answer the scoped query (its condition implied by the query's, its columns the ones read).
        cursor.execute("SET LOCAL enable_seqscan = off")
        for by, query in [*((by, clearance_rows(qs, by)) for by in CLEARANCE_GROUPS), ("pages", clearance_cells(qs))]:
            plan = query.explain()
            assert "hz_major_open" in plan, (persona, by, plan)
            assert "Seq Scan on hazards_hazard" not in plan, (persona, by, plan)
