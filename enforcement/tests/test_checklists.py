"""An inspection works through a checklist of the ``checks`` library: failed items become findings and government
hazards citing the item's clause; unmarked items stay 未检查; a client uuid makes a repeat (the offline page's
reconnect) harmless — through the service, the page, and the API (validated against the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.tests.factories import own_list
from enforcement import checklists, services
from enforcement.choices import FindingResult, InspectionOrigin, InspectionStatus
from enforcement.models import ChecklistResult, Finding, Inspection, InspectionChecklist, Inspector
from enforcement.tests.factories import roster
from hazards.choices import Source as HazardSource
from hazards.models import Hazard
from tests.openapi import assert_matches_schema
from tests.personas import World

pytestmark = pytest.mark.django_db


def onsite(world: World, inspectors: list | None = None) -> Inspection:
    inspectors = inspectors or roster(world, 2)
    inspection = services.inspection_create(actor=world.user("regulator"), origin=InspectionOrigin.COMPLAINT,
                                            inspectors=inspectors[:2], enterprise=world.enterprises["ent_a1"])
    return services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="start",
                                          shown=[i.pk for i in inspectors[:2]])


def test_a_failed_item_becomes_a_finding_and_a_government_hazard_citing_its_clause(world: World) -> None:
    inspection = onsite(world)
    checklist = own_list(world, items=4)
    items = list(checklist.items.order_by("position"))
    sheet, created = checklists.checklist_record(
        actor=world.user("inspector"), inspection=inspection, uuid=str(uuid.uuid4()), checklist=checklist,
        answers=[checklists.Answer(items[0].pk, "pass"), checklists.Answer(items[1].pk, "fail", "防护罩缺失"),
                 checklists.Answer(items[3].pk, "na")], deadline=dt.date.today() + dt.timedelta(days=7))
    assert created and (sheet.items_checked, sheet.items_failed, sheet.items_na) == (3, 1, 1)
    finding = Finding.objects.get(inspection=inspection)
    assert finding.result == FindingResult.HAZARD and "防护罩缺失" in finding.text
    assert finding.basis == f"{checklist.citation}第2项"
    assert finding.checklist_item_ref["item"] == items[1].pk
    hazard = Hazard.objects.get(pk=finding.hazard_id)
    assert hazard.source == HazardSource.GOVERNMENT and hazard.criterion == finding.basis
    assert hazard.criterion_ref == services.finding_ref(finding)
    assert ChecklistResult.objects.get(item=items[1]).finding_id == finding.pk
    # Item 3 was not marked: recorded as 未检查, never as passed.
    (entry,) = checklists.coverage(inspection)
    assert [r.item_id for r in entry["results"]] == [items[0].pk, items[1].pk, items[3].pk]
    assert [i.pk for i in entry["unchecked"]] == [items[2].pk]
    assert not ChecklistResult.objects.filter(item=items[2]).exists()


def test_the_same_uuid_twice_records_once_and_an_item_is_never_recorded_twice(world: World) -> None:
    inspection = onsite(world)
    checklist = own_list(world, items=2)
    first, second = checklist.items.order_by("position")
    key = str(uuid.uuid4())
    answers = [checklists.Answer(first.pk, "fail", "通道堵塞")]
    sheet, created = checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid=key,
                                                 checklist=checklist, answers=answers)
    again, created_again = checklists.checklist_record(actor=world.user("inspector"), inspection=inspection,
                                                       uuid=key, checklist=checklist, answers=answers)
    assert created and not created_again and again.pk == sheet.pk
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert Hazard.objects.filter(enterprise=inspection.enterprise).count() == 1
    with pytest.raises(ValidationError, match="已记录"):
        checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid=str(uuid.uuid4()),
                                    checklist=checklist, answers=[checklists.Answer(first.pk, "pass")])
    with pytest.raises(ValidationError):
        checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid=str(uuid.uuid4()),
                                    checklist=checklist, answers=[])
    with pytest.raises(ValidationError):
        checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid="not-a-uuid",
                                    checklist=checklist, answers=[checklists.Answer(second.pk, "pass")])


def test_only_the_team_or_department_records_and_only_on_site(world: World) -> None:
    inspectors = roster(world, 2)
    checklist = own_list(world, items=1)
    item = checklist.items.get()
    planned = services.inspection_create(actor=world.user("regulator"), origin=InspectionOrigin.COMPLAINT,
                                         inspectors=inspectors, enterprise=world.enterprises["ent_a1"])
    with pytest.raises(ValidationError, match="现场检查中"):
        checklists.checklist_record(actor=world.user("inspector"), inspection=planned, uuid=str(uuid.uuid4()),
                                    checklist=checklist, answers=[checklists.Answer(item.pk, "pass")])
    inspection = onsite(world, inspectors)
    for persona in ("enterprise_a", "regulator_fire", "township_b"):
        with pytest.raises(PermissionDenied):
            checklists.checklist_record(actor=world.user(persona), inspection=inspection, uuid=str(uuid.uuid4()),
                                        checklist=checklist, answers=[checklists.Answer(item.pk, "fail")])
    assert not InspectionChecklist.objects.exists() and not Finding.objects.exists()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(marks=st.lists(st.sampled_from(["", "pass", "fail", "na"]), min_size=5, max_size=5))
def test_property_marked_items_are_recorded_once_failures_are_findings_the_rest_unchecked(
        world: World, marks: list[str]) -> None:
    if not any(marks):
        marks = ["pass", *marks[1:]]
    inspectors = list(Inspector.objects.filter(department__name="市应急管理局")[:2]) or roster(world, 2)
    inspection = onsite(world, inspectors)
    checklist = checklists.library_lists(world.user("inspector")).filter(title="叉车日常检查表").first() \
        or own_list(world, items=5)
    items = list(checklist.items.order_by("position"))
    answers = [checklists.Answer(i.pk, m, f"说明{n}") for n, (i, m) in enumerate(zip(items, marks, strict=True)) if m]
    key = str(uuid.uuid4())
    for _attempt in range(2):  # the reconnect posts again: nothing more is written
        checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid=key,
                                    checklist=checklist, answers=answers)
    recorded = {r.item_id: r.outcome for r in ChecklistResult.objects.filter(inspection=inspection)}
    assert recorded == {a.item: a.outcome for a in answers}
    assert Finding.objects.filter(inspection=inspection).count() == marks.count("fail")
    assert Finding.objects.filter(inspection=inspection, hazard__isnull=False).count() == marks.count("fail")
    (entry,) = checklists.coverage(inspection)
    assert {i.pk for i in entry["unchecked"]} == {i.pk for i, m in zip(items, marks, strict=True) if not m}


def test_the_page_lists_a_library_checklist_and_records_it_once_even_when_posted_twice(client: Client,
                                                                                        world: World) -> None:
    inspection = onsite(world)
    checklist = own_list(world, items=3)
    items = list(checklist.items.order_by("position"))
    client.force_login(world.users["inspector"])
    url = reverse("enforcement:inspection", args=[inspection.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="checklist-choice"' in page and checklist.title in page
    page = client.get(f"{url}?checklist={checklist.pk}").content.decode()
    assert page.count('data-testid="checklist-item"') == 3 and "data-offline-form" in page
    key = str(uuid.uuid4())
    post = {"uuid": key, "checklist": checklist.pk, f"outcome_{items[0].pk}": "fail", f"note_{items[0].pk}": "无防护",
            f"outcome_{items[1].pk}": "pass", f"outcome_{items[2].pk}": ""}
    for _attempt in range(2):
        response = client.post(reverse("enforcement:checklist_record", args=[inspection.pk]), post,
                               headers={"X-Requested-With": "fetch"})
        assert response.status_code == 302 and response.url == url
    assert InspectionChecklist.objects.filter(inspection=inspection).count() == 1
    assert Finding.objects.filter(inspection=inspection).count() == 1
    page = client.get(url).content.decode()
    assert "已检查 2 项" in page and "未检查 1 项" in page
    # The offline script's post of a refused record is answered 400 with the reason (it then posts normally).
    refused = client.post(reverse("enforcement:checklist_record", args=[inspection.pk]),
                          {**post, "uuid": str(uuid.uuid4())}, headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 400 and "已记录" in refused.content.decode()
    # A finding posted twice under its uuid (the reconnect) is recorded once.
    for _attempt in range(2):
        client.post(reverse("enforcement:finding_add", args=[inspection.pk]),
                    {"uuid": str(uuid.UUID(int=7)), "text": "消防通道堵塞", "result": "ok"})
    assert Finding.objects.filter(inspection=inspection, text="消防通道堵塞").count() == 1
    client.force_login(world.users["regulator_fire"])
    assert client.get(url).status_code == 404
    assert client.post(reverse("enforcement:checklist_record", args=[inspection.pk]), post).status_code == 404


def test_the_record_docx_says_which_items_were_checked(client: Client, world: World) -> None:
    inspection = onsite(world)
    checklist = own_list(world, items=3)
    items = list(checklist.items.order_by("position"))
    checklists.checklist_record(actor=world.user("inspector"), inspection=inspection, uuid=str(uuid.uuid4()),
                                checklist=checklist, answers=[checklists.Answer(items[0].pk, "pass")])
    client.force_login(world.users["inspector"])
    response = client.get(reverse("enforcement:document", args=[inspection.pk, "enforcement_record"]))
    document = Document(io.BytesIO(response.content))
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    text = "\n".join(p.text for p in document.paragraphs)
    assert items[0].text in cells and "合格" in cells and items[1].text not in cells
    assert f"{checklist.citation}未检查2项" in text


def test_api_records_checklist_results_once_per_uuid_against_the_schema(client: Client, world: World) -> None:
    inspection = onsite(world)
    checklist = own_list(world, items=2)
    first, second = checklist.items.order_by("position")
    client.force_login(world.users["inspector"])
    url = reverse("enforcement-inspection-checklist", args=[inspection.pk])
    body = {"uuid": str(uuid.uuid4()), "checklist": checklist.pk,
            "results": [{"item": first.pk, "outcome": "fail", "note": "接地线断开"}, {"item": second.pk,
                                                                                     "outcome": "na"}]}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert_matches_schema(created, "post")
    repeat = client.post(url, body, content_type="application/json")
    assert repeat.status_code == 200 and repeat.json()["id"] == created.json()["id"]
    assert Finding.objects.filter(inspection=inspection).count() == 1
    bad = client.post(url, {**body, "uuid": str(uuid.uuid4()), "results": [{"item": 2**70, "outcome": "pass"}]},
                      content_type="application/json")
    assert bad.status_code == 400
    detail = client.get(reverse("enforcement-inspection-detail", args=[inspection.pk]))
    assert_matches_schema(detail)
    assert detail.json()["checklists"][0]["items_failed"] == 1
    client.force_login(world.users["regulator_fire"])
    assert client.post(url, {**body, "uuid": str(uuid.uuid4())}, content_type="application/json").status_code == 404
    client.force_login(world.users["enterprise_a"])
    assert client.post(url, {**body, "uuid": str(uuid.uuid4())},
                       content_type="application/json").status_code in (403, 404)
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.ONSITE
