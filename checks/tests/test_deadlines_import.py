"""Missed checks climb the shared escalation ladder and a late run closes them; the checklist import parsers refuse
bad cells with a message and never raise anything else; the import replaces an unused list's items, all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from checks import services
from checks.choices import CheckerLevel, Frequency
from checks.importer import IMPORTER, _number, _type
from checks.models import DueCheck
from checks.tests.factories import new_uuid, own_list
from core.xlsx import Workbook
from escalation.loaders import load_escalation_defaults
from escalation.models import EscalationRecord
from escalation.services import sweep
from tests.personas import World


@pytest.mark.django_db
def test_missed_checks_escalate_and_a_late_run_takes_them_off_the_list(world: World) -> None:
    load_escalation_defaults()
    checklist = own_list(world)
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    plan = services.plan_create(actor=world.user("enterprise_a"), checklist=checklist, frequency=Frequency.DAILY,
                                checker_level=CheckerLevel.TEAM, starts_on=start, enterprise=world.enterprises["ent_a1"])
    services.generate_due(today=start, days=11)
    report = sweep(today=today, sources=["checks.due"])
    assert not report.errors
    missed = DueCheck.objects.filter(plan=plan, due_on__lt=today)
    flagged = EscalationRecord.objects.filter(source_key="checks.due")
    assert missed.count() == 10
    assert set(flagged.values_list("object_id", flat=True)) == set(missed.values_list("pk", flat=True))
    # The enterprise's township sees the records; the other township does not.
    assert EscalationRecord.objects.visible_to(world.user("township_a")).filter(source_key="checks.due").exists()
    assert not EscalationRecord.objects.visible_to(world.user("township_b")).filter(source_key="checks.due").exists()
    oldest = missed.order_by("due_on").first()
    services.run_record(actor=world.user("enterprise_a"), uuid=new_uuid(), checklist=checklist, plan=plan, due=oldest)
    from checks.deadline_sources import _open_items

    assert not _open_items().filter(pk=oldest.pk).exists()


@given(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_number_cells_parse_or_say_why(value: object) -> None:
    try:
        out = _number(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert out is None or abs(out) < 10 ** 10


@given(st.text(max_size=10))
def test_type_cells_parse_or_say_why(value: str) -> None:
    try:
        assert _type(value) in ("yes_no", "value")
    except ValueError as exc:
        assert "是否" in str(exc)


def _book(rows: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.sheet("检查表")
    ws.write_row(0, ["条款", "检查内容", "检查方式", "下限", "上限", "须拍照"])
    for n, row in enumerate(rows, start=1):
        ws.write_row(n, row)
    return book.getvalue()


@pytest.mark.django_db
def test_import_replaces_items_all_or_nothing(world: World) -> None:
    checklist = own_list(world, items=2)
    office = world.user("office")
    bad = IMPORTER.run(actor=office, file=io.BytesIO(_book([["1", "叉车灯光", "是否", "", "", "是"],
                                                             ["2", "", "是否", "", "", ""],
                                                             ["3", "胎压", "测量值", "5", "3", ""]])),
                       params={"checklist": checklist.pk})
    assert not bad.ok and checklist.items.count() == 2
    assert {e.row for e in bad.errors} == {3, 4}
    good = IMPORTER.run(actor=office, file=io.BytesIO(_book([["1", "叉车灯光", "是否", "", "", "是"],
                                                              ["2", "胎压", "测量值", "0.6", "0.9", ""]])),
                        params={"checklist": checklist.pk})
    assert good.ok and good.created == 2
    assert list(checklist.items.values_list("text", "photo_required")) == [("叉车灯光", True), ("胎压", False)]
    with pytest.raises(PermissionDenied):  # a department's list is not the enterprise's
        IMPORTER.run(actor=world.user("enterprise_a"), file=io.BytesIO(_book([["1", "x", "", "", "", ""]])),
                     params={"checklist": checklist.pk})
