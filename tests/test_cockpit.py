"""The cockpit (领导驾驶舱): one page of the panels apps register with ``core.dashboard.register_panel``. Every count
on it is a link, and the list it opens holds exactly that many rows; a township's and a department's cockpit count
only their own scope; those without a cockpit are refused."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from accidents.tests.factories import register
from core.dashboard import PANELS
from enforcement import services as enforcement_services
from enforcement.tests.factories import roster
from hazards.tests.factories import enterprise_hazard, place_hazard
from orgs.models import Domain
from tests.personas import World
from tips import services as tip_services
from tips.tests.factories import emergency_bureau, submit, to_replied

pytestmark = pytest.mark.django_db
FIGURE = re.compile(r'<a class="[^"]*" href="([^"]+)" data-testid="cockpit-([a-z_]+)-([a-z_]+)"><div class="fs-4">'
                    r"([^<]+)</div>")


def _world(world: World) -> None:
    enterprise_hazard(world)
    place_hazard(world)
    place_hazard(world, actor_key="township_b", place_name="山枣镇")
    to_replied(world, submit(world, enterprise=world.enterprises["ent_a1"]))
    submit(world, place="山枣镇")
    team = roster(world)
    tip = tip_services.tip_transition(actor=world.user("township_a"), tip=submit(world), action="assign",
                                      assigned_unit=emergency_bureau())
    inspection = tip_services.tip_open_inspection(actor=world.user("regulator"), tip=tip, inspectors=team[:2],
                                                  domain=Domain.objects.get(code="D12"))
    enforcement_services.inspection_transition(actor=world.user("regulator"), inspection=inspection, action="start",
                                               shown=[t.pk for t in team[:2]])
    now = timezone.now()
    register(world, occurred_at=now - dt.timedelta(hours=1))
    register(world, enterprise="ent_b1", occurred_at=now - dt.timedelta(hours=2), deaths=1)
    register(world, occurred_at=now.replace(year=now.year - 1) - dt.timedelta(hours=1))


def _figures(page: str) -> list[tuple[str, str, str, str]]:
    return [(html.unescape(url), panel, key, value.strip()) for url, panel, key, value in FIGURE.findall(page)]


def test_panels_are_registered_by_the_apps() -> None:
    assert {"hazards", "campaigns", "checks", "enforcement", "tips", "accidents", "credit"} <= set(PANELS)


@pytest.mark.parametrize("persona", ["office", "township_a", "regulator"])
def test_every_count_opens_a_list_of_exactly_that_many(client: Client, world: World, persona: str) -> None:
    _world(world)
    client.force_login(world.users[persona])
    response = client.get("/cockpit/")
    assert response.status_code == 200
    figures = _figures(response.content.decode())
    panels = {panel for _u, panel, _k, _v in figures}
    assert {"hazards", "checks", "tips", "accidents", "credit"} <= panels
    assert ("enforcement" in panels) == (persona != "township_a")  # the township's cockpit is cut down
    checked = 0
    for url, panel, key, value in figures:
        if not value.isdigit():
            continue
        listing = client.get(url)
        assert listing.status_code == 200, url
        page = listing.context.get("page") if listing.context else None
        if page is None:  # a figures page, not a list
            continue
        assert page.paginator.count == int(value), (persona, panel, key, url)
        checked += 1
    assert checked >= 15
    nonzero = {(panel, key) for _u, panel, key, value in figures if value.isdigit() and int(value)}
    assert ("tips", "received") in nonzero and ("accidents", "count") in nonzero
    if persona != "township_a":
        assert ("enforcement", "complaint") in nonzero


def test_scope_cuts_the_cockpit(client: Client, world: World) -> None:
    _world(world)
    values = {}
    for persona in ("office", "township_a", "township_b"):
        client.force_login(world.users[persona])
        values[persona] = {(panel, key): value for _u, panel, key, value in
                           _figures(client.get("/cockpit/").content.decode())}
    office, a, b = values["office"], values["township_a"], values["township_b"]
    assert int(office[("tips", "received")]) == int(a[("tips", "received")]) + int(b[("tips", "received")]) == 3
    assert int(b[("tips", "received")]) == 1 and int(b[("accidents", "count")]) == 1
    assert int(office[("hazards", "total")]) == int(a[("hazards", "total")]) + int(b[("hazards", "total")])


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector", "expert", "sysadmin", "auditadmin"])
def test_those_without_a_cockpit_are_refused(client: Client, world: World, persona: str) -> None:
    client.force_login(world.users[persona])
    assert client.get("/cockpit/").status_code == 403
    assert 'href="/cockpit/"' not in client.get("/").content.decode()


def test_the_menu_leads_the_office_there(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    assert 'href="/cockpit/"' in client.get("/").content.decode()
