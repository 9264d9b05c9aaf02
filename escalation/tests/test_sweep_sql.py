"""Sources that file their records in the database (``title_sql``/``url_sql``) write exactly the title and
address their Python ``title``/``url`` would: hostile and long text, multi-byte characters, both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import CharField
from django.db.models.functions import Left

from core.audit import Source, audit_context
from core.models import ChangeEvent
from escalation import services, supervision
from escalation.models import EscalationLadder, EscalationRecord, EscalationStep, SupervisionItem
from escalation.registry import SOURCES
from hazards.tests.factories import enterprise_hazard, place_hazard
from orgs.models import Unit

HOSTILE = ["=HYPERLINK(\"http://x\")<script>alert(1)</script>", "𠀋𠀌隐患" * 40, "  空格  ", "a'b\"c\\d%_"]


def _sql_text(source: Any, obj: Any) -> tuple[str, str]:
    row = (source.model._default_manager.filter(pk=obj.pk)
           .annotate(_t=Left(source.title_sql(), 300, output_field=CharField()),
                     _u=Left(source.url_sql(), 500, output_field=CharField()))
           .values_list("_t", "_u").get())
    return row


@pytest.mark.django_db
def test_every_sql_title_and_url_equals_the_python_one(world: Any) -> None:
    unit = Unit.objects.get(name="东山街道")
    objects: dict[str, list[Any]] = {key: [] for key in SOURCES}
    with audit_context(source=Source.COMMAND):
        for text in HOSTILE:
            objects["escalation.supervision"].append(SupervisionItem.objects.create(
                title=text[:200], assignee=unit, jurisdiction_path=unit.jurisdiction_path,
                deadline=dt.date(2024, 1, 5), original_deadline=dt.date(2024, 1, 5)))
            objects["hazards.hazard"].append(enterprise_hazard(world, description=text))
            objects["hazards.hazard"].append(place_hazard(world, description=text, place=text[:200]))
    objects["hazards.review"] = objects["hazards.hazard"]
    declared = [key for key, s in SOURCES.items() if s.title_sql is not None and s.url_sql is not None]
    assert {"escalation.supervision", "hazards.hazard", "hazards.review"} <= set(declared)
    for key in declared:
        source = SOURCES[key]
        assert objects.get(key), f"no sample objects for {key}: add some to this test"
        for obj in objects[key]:
            obj = source.model._default_manager.get(pk=obj.pk)
            assert _sql_text(source, obj) == (source.title(obj)[:300], source.url(obj)[:500]), key


@pytest.mark.django_db
def test_records_filed_in_the_database_carry_the_python_title_and_one_event_each(world: Any) -> None:
    ladder = EscalationLadder.objects.create(code="sqlpath", name="阶梯", applies_to=supervision.SOURCE_KEY)
    EscalationStep.objects.create(ladder=ladder, order=0, action="reminder", after_workdays=0)
    EscalationStep.objects.create(ladder=ladder, order=1, action="talk", after_workdays=2, needs_decision=True)
    unit = Unit.objects.get(name="东山街道")
    items = [SupervisionItem.objects.create(title=text[:200], assignee=unit, jurisdiction_path=unit.jurisdiction_path,
                                            deadline=dt.date(2024, 1, 5), original_deadline=dt.date(2024, 1, 5))
             for text in HOSTILE]
    report = services.sweep(today=dt.date(2024, 1, 31), sources=[supervision.SOURCE_KEY], batch=3)
    assert not report.errors, report.errors
    assert (report.applied, report.proposed) == (len(items), len(items))
    records = EscalationRecord.objects.filter(source_key=supervision.SOURCE_KEY)
    assert {(r.object_id, r.object_title) for r in records if r.action == "reminder"} == {
        (i.pk, i.title) for i in items}
    for r in records:
        assert r.object_url == supervision.item_url(SupervisionItem(pk=r.object_id))
        assert r.overdue_workdays > 2 and r.note
    events = ChangeEvent.objects.filter(object_type="escalation.escalationrecord")
    assert sorted(int(e.object_id) for e in events) == sorted(records.values_list("pk", flat=True))
    assert {e.object_repr for e in events} == {str(r) for r in records}
    from core.chain import seal, verify_chain

    seal()
    assert verify_chain().ok
