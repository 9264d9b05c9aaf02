"""A tip becomes an enforcement inspection (来源: 举报) or a case of the department handling it, through the
enforcement services; the link shows on both pages; nothing of the reporter goes with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from checks.models import Premises
from core.models import ChangeEvent
from enforcement.choices import InspectionOrigin
from enforcement.models import Case, Inspection
from enforcement.tests.factories import roster
from orgs.models import Domain
from tests.openapi import assert_matches_schema
from tests.personas import VISIBLE, World
from tips import services
from tips.choices import TipStatus
from tips.models import Tip
from tips.tests.factories import NAME, PHONE, emergency_bureau, submit, to_verified

pytestmark = pytest.mark.django_db
SECRETS = (NAME, PHONE)


def _assigned(world: World, **kw: object) -> Tip:
    tip = submit(world, **kw)
    return services.tip_transition(actor=world.user("township_a"), tip=tip, action="assign",
                                   assigned_unit=emergency_bureau())


def _events_text(obj: object) -> str:
    return " ".join(f"{e.changes} {e.note} {e.object_repr}" for e in ChangeEvent.objects.for_object(obj))


def test_the_handling_department_opens_an_inspection_of_the_tips_enterprise(world: World) -> None:
    team = roster(world)
    tip = _assigned(world, enterprise=world.enterprises["ent_a1"])
    inspection = services.tip_open_inspection(actor=world.user("regulator"), tip=tip, inspectors=team[:2],
                                              unannounced=True)
    tip.refresh_from_db()
    assert tip.inspection == inspection and tip.status == TipStatus.ASSIGNED
    assert inspection.origin == InspectionOrigin.COMPLAINT and inspection.enterprise == world.enterprises["ent_a1"]
    assert inspection.department == emergency_bureau() and inspection.unannounced
    assert tip.events.filter(action="inspection").exists()
    assert ChangeEvent.objects.for_object(tip).filter(action="tips.tip_link_inspection").exists()
    # Nothing of the reporter in what enforcement holds or logs.
    held = " ".join(str(getattr(inspection, f.attname)) for f in Inspection._meta.concrete_fields)
    for secret in SECRETS:
        assert secret not in held and secret not in _events_text(inspection) and secret not in _events_text(tip)
    with pytest.raises(ValidationError):
        services.tip_open_inspection(actor=world.user("regulator"), tip=tip, inspectors=team[:2])


def test_a_place_that_is_not_an_enterprise_becomes_a_premises_of_the_departments_domain(world: World) -> None:
    team = roster(world)
    tip = _assigned(world, subject="无名小作坊")
    regulator = world.user("regulator")
    with pytest.raises(ValidationError):  # neither an enterprise nor a domain
        services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2])
    with pytest.raises(ValidationError):  # 消防 (D3) is not the emergency bureau's domain
        services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2],
                                     domain=Domain.objects.get(code="D3"))
    with pytest.raises(ValidationError):  # an enterprise of the other township
        services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2],
                                     enterprise=world.enterprises["ent_b1"])
    inspection = services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2],
                                              domain=Domain.objects.get(code="D12"))
    premises = Premises.objects.get(pk=inspection.premises_id)
    assert premises.name == "无名小作坊" and premises.address == tip.address
    assert premises.jurisdiction == tip.jurisdiction and not premises.operator and not premises.phone


@pytest.mark.parametrize("persona", ["township_a", "office", "regulator_fire", "inspector", "enterprise_a"])
def test_only_the_handling_departments_regulators_open_one(world: World, persona: str) -> None:
    team = roster(world)
    tip = _assigned(world, enterprise=world.enterprises["ent_a1"])
    with pytest.raises(PermissionDenied):
        services.tip_open_inspection(actor=world.user(persona), tip=tip, inspectors=team[:2])
    assert not Inspection.objects.exists()


def test_not_before_assignment_nor_on_a_tip_found_untrue(world: World) -> None:
    team = roster(world)
    received = submit(world, enterprise=world.enterprises["ent_a1"])
    with pytest.raises(PermissionDenied):  # not assigned to anyone yet
        services.tip_open_inspection(actor=world.user("regulator"), tip=received, inspectors=team[:2])
    untrue = to_verified(world, submit(world, enterprise=world.enterprises["ent_a1"]), confirmed=False)
    with pytest.raises(ValidationError):
        services.tip_open_inspection(actor=world.user("regulator"), tip=untrue, inspectors=team[:2])
    assert not Inspection.objects.exists()


def test_a_true_tip_becomes_a_case_naming_its_inspection(world: World) -> None:
    team = roster(world)
    tip = _assigned(world, enterprise=world.enterprises["ent_a1"])
    regulator = world.user("regulator")
    with pytest.raises(ValidationError):  # not verified yet
        services.tip_open_case(actor=regulator, tip=tip, cause="违规储存危险物品")
    inspection = services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2])
    tip = services.tip_verify(actor=regulator, tip=tip, verification="检查核实：钢瓶12只。", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.tip_open_case(actor=world.user("township_a"), tip=tip, cause="违规储存危险物品")
    case = services.tip_open_case(actor=regulator, tip=tip, cause=f"违规储存危险物品 {NAME}"[:12])
    tip.refresh_from_db()
    assert tip.case == case and case.inspection == inspection and case.enterprise == world.enterprises["ent_a1"]
    assert ChangeEvent.objects.for_object(tip).filter(action="tips.tip_link_case").exists()
    with pytest.raises(ValidationError):
        services.tip_open_case(actor=regulator, tip=tip, cause="再次立案")
    assert Case.objects.count() == 1


def test_pages_link_both_ways_and_never_show_the_reporter(client: Client, world: World) -> None:
    team = roster(world)
    tip = _assigned(world, enterprise=world.enterprises["ent_a1"])
    client.force_login(world.users["regulator"])
    page = client.get(f"/tips/{tip.pk}/").content.decode()
    assert 'data-testid="tip-inspection-form"' in page and 'data-testid="tip-case-form"' not in page
    response = client.post(f"/tips/{tip.pk}/inspection/", {"inspectors": [team[0].pk, team[1].pk]})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enforcement/inspections/{inspection.pk}/"
    tip = services.tip_verify(actor=world.user("regulator"), tip=tip, verification="属实", confirmed=True)
    assert 'data-testid="tip-case-form"' in client.get(f"/tips/{tip.pk}/").content.decode()
    assert client.post(f"/tips/{tip.pk}/case/", {"cause": "违规储存<script>x</script>"}).status_code == 302
    case = Case.objects.get()
    urls = [f"/tips/{tip.pk}/", f"/enforcement/inspections/{inspection.pk}/", f"/enforcement/cases/{case.pk}/",
            "/enforcement/inspections/", "/enforcement/cases/", f"/api/v1/enforcement/inspections/{inspection.pk}/",
            "/api/v1/enforcement/inspections/", "/api/v1/enforcement/cases/", "/enforcement/inspections/?export=xlsx"]
    for key in sorted(VISIBLE):
        client.force_login(world.users[key])
        for url in urls:
            body = client.get(url).content.decode(errors="replace")
            for secret in SECRETS:
                assert secret not in body, (key, url)
    client.force_login(world.users["regulator"])
    api = client.get(f"/api/v1/tips/{tip.pk}/")
    assert_matches_schema(api)
    assert (api.json()["inspection"], api.json()["case"]) == (inspection.pk, case.pk)
    tip_page = client.get(f"/tips/{tip.pk}/").content.decode()
    assert f'href="/enforcement/inspections/{inspection.pk}/"' in tip_page
    assert f'href="/enforcement/cases/{case.pk}/"' in tip_page
    for url in (f"/enforcement/inspections/{inspection.pk}/", f"/enforcement/cases/{case.pk}/"):
        assert f'href="/tips/{tip.pk}/" data-testid="source-tip"' in client.get(url).content.decode(), url
    # The fire brigade sees neither the tip nor the inspection: no link, 404 on both.
    client.force_login(world.users["regulator_fire"])
    assert client.get(f"/enforcement/inspections/{inspection.pk}/").status_code == 404
    assert client.get(f"/tips/{tip.pk}/").status_code == 404


def test_hostile_form_input_writes_nothing(client: Client, world: World) -> None:
    team = roster(world)
    tip = _assigned(world, subject="无名作坊")
    client.force_login(world.users["regulator"])
    for data in ({"inspectors": [team[0].pk, team[1].pk], "enterprise": world.enterprises["ent_b1"].pk},
                 {"inspectors": [team[0].pk, team[1].pk], "enterprise": str(2**70)},
                 {"inspectors": [team[0].pk], "domain": Domain.objects.get(code="D12").pk},
                 {"inspectors": ["=1+1"], "domain": "<script>"}):
        response = client.post(f"/tips/{tip.pk}/inspection/", data)
        assert response.status_code == 302 and response["Location"] == f"/tips/{tip.pk}/", data
    assert not Inspection.objects.exists() and not Premises.objects.exists()
    client.force_login(world.users["township_a"])
    assert client.post(f"/tips/{tip.pk}/inspection/", {"inspectors": [team[0].pk, team[1].pk]}).status_code == 403
