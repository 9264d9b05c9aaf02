"""属地管理 + 行业监管, proven for every persona through pages, the API and the Excel export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from tests.openapi import assert_matches_schema
from tests.personas import ENTERPRISES, VISIBLE, World

PERSONAS = sorted(VISIBLE)
SYSTEM = {"sysadmin", "secadmin", "auditadmin"}


def login(client: Client, world: World, key: str) -> Client:
    client.force_login(world.users[key])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_detail_page_is_404_outside_scope(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    for key, ent in world.enterprises.items():
        response = client.get(f"/enterprises/{ent.pk}/")
        if persona in SYSTEM:
            assert response.status_code == 403, (persona, key)
        elif key in VISIBLE[persona]:
            assert response.status_code == 200, (persona, key)
        else:
            assert response.status_code == 404, (persona, key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_list_page_shows_exactly_the_scope(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    response = client.get("/enterprises/")
    if persona in SYSTEM:
        assert response.status_code == 403
        return
    html = response.content.decode()
    for key, (name, _place, _codes) in ENTERPRISES.items():
        assert (name in html) == (key in VISIBLE[persona]), (persona, key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_export_holds_exactly_the_scope(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    response = client.get("/enterprises/", {"export": "xlsx"})
    if persona in SYSTEM:
        assert response.status_code == 403
        return
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    persona_names = {ENTERPRISES[k][0] for k in VISIBLE[persona]}
    test_names = {v[0] for v in ENTERPRISES.values()}
    assert names & test_names == persona_names


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_api_lists_and_reads_exactly_the_scope(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    response = client.get("/api/v1/enterprises/", {"page_size": 500})
    if persona in SYSTEM:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert_matches_schema(response)
    ids = {row["id"] for row in response.json()["results"]}
    for key, ent in world.enterprises.items():
        assert (ent.pk in ids) == (key in VISIBLE[persona]), (persona, key)
        detail = client.get(f"/api/v1/enterprises/{ent.pk}/")
        assert detail.status_code == (200 if key in VISIBLE[persona] else 404), (persona, key)
        if detail.status_code == 200:
            assert_matches_schema(detail)


@pytest.mark.parametrize("persona", ["township_a", "regulator_fire", "enterprise_b"])
def test_out_of_scope_enterprise_cannot_be_changed(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    target = world.enterprises["ent_b2"] if persona != "enterprise_b" else world.enterprises["ent_a1"]
    assert client.get(f"/enterprises/{target.pk}/edit/").status_code == 404
    assert client.post(f"/enterprises/{target.pk}/edit/", {"name": "改名"}).status_code == 404
    response = client.patch(f"/api/v1/enterprises/{target.pk}/", {"address": "x"}, content_type="application/json")
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.name != "改名"


def test_home_counts_follow_scope(client: Client, world: World) -> None:
    login(client, world, "regulator_fire")
    html = client.get("/").content.decode()
    assert 'data-testid="enterprise-total">1<' in html


def test_audit_admin_reads_the_trail_and_nothing_else(client: Client, world: World) -> None:
    login(client, world, "auditadmin")
    assert client.get("/audit/").status_code == 200
    assert client.get("/api/v1/audit/events/").status_code == 200
    assert client.get("/enterprises/").status_code == 403
    assert client.get("/api/v1/enterprises/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/sysadmin/").status_code in (302, 403)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "auditadmin"])
def test_nobody_else_reads_the_audit_trail(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/v1/audit/events/").status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_system_administrator_enters_the_django_admin(client: Client, world: World, persona: str) -> None:
    login(client, world, persona)
    response = client.get("/sysadmin/")
    if persona == "sysadmin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("persona", ["office", "regulator", "township_b"])
def test_home_domain_counts_lead_to_exactly_those_enterprises(client: Client, world: World, persona: str) -> None:
    import re

    login(client, world, persona)
    html = client.get("/").content.decode()
    links = re.findall(r'href="/enterprises/\?domain=(\d+)"[^>]*>[^<]*?(\d+)</a>', html)
    assert links
    for domain_id, count in links:
        page = client.get("/enterprises/", {"domain": domain_id})
        assert page.context["page"].paginator.count == int(count), (persona, domain_id)


# -- the reporter's identity (举报人), the one field no scope opens -----------------------------------------------
# A tip of 东山街道 assigned to 市应急管理局 may show its reporter to the office and to that department's regulators,
# each showing on request and recorded (tips.services.identity_reveal); to nobody else, anywhere. The tip went all
# the way: verified, a hazard, an enforcement inspection of the place as a premises, a case, a reward, a typical case
# on the 曝光台; a second tip of 山枣镇 is still waiting for its township.
IDENTITY_MAY_SEE = {"office", "regulator"}
IDENTITY_SKIP = ("/audit/verify/", "/audit/checkpoint/", "/checks/sw.js", "/enforcement/sw.js")
IDENTITY_EXPORTS = ("/tips/", "/hazards/", "/enforcement/inspections/", "/enforcement/cases/", "/checks/premises/",
                    "/accidents/", "/enterprises/")


def _identity_world(world: World) -> tuple[object, object, list[str]]:
    from enforcement.tests.factories import roster
    from hazards.choices import Grade
    from orgs.models import Domain
    from tips import services
    from tips.tests.factories import submit, to_replied

    tip = to_replied(world, submit(world, name="甲举报人周八", phone="13611112222"))
    regulator, office = world.user("regulator"), world.user("office")
    hazard = services.tip_register_hazard(actor=regulator, tip=tip, domain=Domain.objects.get(code="D12"),
                                          grade=Grade.GENERAL)
    team = roster(world)
    inspection = services.tip_open_inspection(actor=regulator, tip=tip, inspectors=team[:2],
                                              enterprise=world.enterprises["ent_a1"])
    case = services.tip_open_case(actor=regulator, tip=tip, cause="违规储存危险物品")
    for action in ("propose", "approve"):
        tip = services.tip_transition(actor=office, tip=tip, action=action)
    tip = services.tip_transition(actor=office, tip=tip, action="pay", payout_ref="奖-001")
    services.exposure_publish(actor=office, tip=tip, title="典型案例", summary="甲举报人周八举报的仓库钢瓶案")
    other = submit(world, place="山枣镇", name="乙举报人吴九", phone="13733334444")
    pages = [f"/tips/{tip.pk}/", f"/tips/{other.pk}/", f"/hazards/{hazard.pk}/", f"/api/v1/tips/{tip.pk}/",
             f"/api/v1/tips/{other.pk}/", f"/api/v1/hazards/{hazard.pk}/",
             f"/enforcement/inspections/{inspection.pk}/", f"/api/v1/enforcement/inspections/{inspection.pk}/",
             f"/enforcement/cases/{case.pk}/", f"/enterprises/{world.enterprises['ent_a1'].pk}/"]
    return tip, other, pages


def _body(response: object) -> str:
    content = response.content  # type: ignore[attr-defined]
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):  # type: ignore[attr-defined]
        book = openpyxl.load_workbook(io.BytesIO(content))
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return content.decode(errors="replace")


@pytest.mark.parametrize("persona", PERSONAS)
def test_reporter_identity_in_no_page_api_or_export_and_revealed_only_to_those_who_may(
        client: Client, world: World, persona: str) -> None:
    from tests.test_figure_scope import api_lists, parameterless_pages

    tip, other, pages = _identity_world(world)
    secrets = ("甲举报人周八", "13611112222", "乙举报人吴九", "13733334444")
    urls = [u for u in parameterless_pages() if u not in IDENTITY_SKIP] + api_lists() + pages + [
        f"{u}?export=xlsx" for u in IDENTITY_EXPORTS]
    login(client, world, persona)
    rendered = 0
    for url in urls:
        response = client.get(url)
        rendered += response.status_code == 200
        text = _body(response)
        for secret in secrets:
            assert secret not in text, (persona, url, secret)
    assert rendered >= (1 if persona in SYSTEM | {"expert"} else 20), persona
    for target, may in ((tip, persona in IDENTITY_MAY_SEE), (other, persona == "office")):
        reveal = client.post(f"/tips/{target.pk}/identity/")  # type: ignore[attr-defined]
        shown = reveal.status_code == 200 and ("13611112222" in reveal.content.decode()
                                               or "13733334444" in reveal.content.decode())
        assert shown == may, (persona, target)
