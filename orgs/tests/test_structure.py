"""The directory page is browsed a level at a time and its units are paged and searchable: a province's directory
(tens of thousands of villages, thousands of units) is never rendered whole."""

from __future__ import annotations

import pytest
from django.test import Client

from orgs.models import Jurisdiction, Unit
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_one_level_of_the_tree_at_a_time(client: Client, world: World) -> None:
    client.force_login(world.user("township_a"))
    top = client.get("/orgs/").content.decode()
    county = Jurisdiction.objects.get(depth=0)
    township = Jurisdiction.objects.filter(parent=county, children__isnull=False).first()
    assert county.name in top and f"?node={county.pk}" in top
    assert township.name not in top.split('data-testid="structure-nodes"')[1].split("</ul>")[0]
    below = client.get("/orgs/", {"node": county.pk}).content.decode()
    nodes = below.split('data-testid="structure-nodes"')[1].split("</ul>")[0]
    assert township.name in nodes and f"?node={township.pk}" in nodes
    village = Jurisdiction.objects.filter(parent=township).first()
    assert village.name not in nodes
    deeper = client.get("/orgs/", {"node": township.pk}).content.decode()
    trail = deeper.split('data-testid="structure-trail"')[1].split("</ol>")[0]
    assert county.name in trail and township.name in trail
    assert village.name in deeper.split('data-testid="structure-nodes"')[1]
    assert client.get("/orgs/", {"node": "99999999999999999999"}).status_code == 200  # a hostile id: the top


def test_units_are_paged_and_found_by_name_or_alias(client: Client, world: World) -> None:
    client.force_login(world.user("office"))
    total = Unit.objects.filter(collective=False).count()
    assert total > 50
    first = client.get("/orgs/").content.decode()
    assert first.split('data-testid="structure-units"')[1].count("<tr>") == 50 and f"共 {total} 个" in first
    assert "?page=2" in first
    found = client.get("/orgs/", {"q": "应急局"}).content.decode()  # an alias of 市应急管理局
    rows = found.split('data-testid="structure-units"')[1].split("</tbody>")[0]
    assert "市应急管理局" in rows and "市消防救援大队" not in rows
    departments = client.get("/orgs/", {"kind": "department"}).content.decode()
    assert "东山街道</td>" not in departments.split('data-testid="structure-units"')[1]
