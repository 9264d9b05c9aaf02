"""The data migration that moves enforcement.CreditRecord into credit.CreditEvent keeps every record: a penalty
event keyed by its case as the collector keys it (so the collector adds no second one), the revoked ones revoked.
Run as the other migration tests run theirs: the function on today's models, the old table stood in for by rows."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from credit import collectors
from credit.models import CreditEvent
from enforcement.models import Case
from tests.personas import World

pytestmark = pytest.mark.django_db
migration = importlib.import_module("credit.migrations.0002_credit_absorb_creditrecord")


class _Rows:
    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def select_related(self, *_f: str) -> _Rows:
        return self

    def order_by(self, *_f: str) -> _Rows:
        return self

    def iterator(self, chunk_size: int = 0) -> Any:
        return iter(self.rows)


def test_credit_records_become_penalty_events_once(world: World) -> None:
    ent = world.enterprises["ent_a1"]
    regulator = world.user("regulator")
    case = Case(enterprise=ent, department=regulator.unit, cause="未消除隐患", opened_on=timezone.localdate(),
                decision_due=timezone.localdate(), decided_on=dt.date(2025, 3, 1), penalty_types=["suspension"],
                fine_amount=Decimal("5000"))
    case.copy_scope_keys()
    case.save()
    day = dt.date(2025, 3, 1)
    rows = [SimpleNamespace(pk=1, case_id=case.pk, case=case, enterprise_id=ent.pk, jurisdiction_path=ent.jurisdiction_path,
                            amount=Decimal("5000"), summary="行政处罚：未消除隐患", recorded_on=day,
                            department_id=regulator.unit_id, revoked_at=None),
            SimpleNamespace(pk=2, case_id=None, case=None, enterprise_id=ent.pk, jurisdiction_path=ent.jurisdiction_path,
                            amount=Decimal("0"), summary="旧记录", recorded_on=day, department_id=regulator.unit_id,
                            revoked_at=timezone.now())]
    models = {("enforcement", "CreditRecord"): SimpleNamespace(objects=_Rows(rows)), ("credit", "CreditEvent"): CreditEvent}
    migration.forward(SimpleNamespace(get_model=lambda app, name: models[app, name]), None)
    first, second = CreditEvent.objects.order_by("source_key")
    assert (first.source_key, first.points, first.occurred_on, first.expires_on) == (
        f"penalty:enforcement.case:{case.pk}", -20, day, dt.date(2028, 3, 1))
    assert second.source_key == "penalty:enforcement.creditrecord:2" and second.revoked_at is not None
    assert collectors.collect_penalties(timezone.localdate()) == 0
    migration.forward(SimpleNamespace(get_model=lambda app, name: models[app, name]), None)
    assert CreditEvent.objects.count() == 2
