"""Each role's home shows its own work first (issue 14 item 5): an enterprise its company and its shortcuts and
what of its own lapses; an expert no government menus."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from ledgers import services as ledger_services
from ledgers.models import WorkerCertificate
from tests.personas import World


def _home(client: Client, world: World, key: str) -> str:
    client.force_login(world.users[key])
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_enterprise_home_is_its_own_company_with_its_daily_shortcuts(client: Client, world: World) -> None:
    html = _home(client, world, "enterprise_a")
    assert 'data-testid="own-enterprise-name">东山测试钢铁有限公司<' in html
    assert 'data-testid="shortcut-hazard-create"' in html
    assert "管辖范围内企业" not in html  # not the government dashboard


def test_enterprise_home_lists_its_own_lapsing_certificates_only(client: Client, world: World) -> None:
    today = timezone.localdate()
    for ent_key, days in (("ent_a1", -3), ("ent_b1", -3)):
        ledger_services.row_create(
            actor=None, model=WorkerCertificate, enterprise=world.enterprises[ent_key], person_name="张三",
            id_number="430381199001011234", operation_type="welding", certificate_number=f"T{ent_key}",
            issued_on=dt.date(2021, 1, 1), expires_on=today + dt.timedelta(days=days))
    html = _home(client, world, "enterprise_a")
    card = html[html.index('data-testid="card-expiring"'):]
    card = card[: card.index("</div>\n</div>")]
    assert "已过期 1" in card  # its own one, not the other enterprise's
    assert 'data-testid="card-expiring"' not in _home(Client(), world, "office")  # no territory-wide count at home


def test_government_home_keeps_the_territory_figures(client: Client, world: World) -> None:
    html = _home(client, world, "township_a")
    assert 'data-testid="enterprise-total">2<' in html
    assert 'data-testid="card-own-enterprise"' not in html


def test_menus_follow_the_role(client: Client, world: World) -> None:
    expert = _home(client, world, "expert")
    for testid in ("nav-orgs-structure", "nav-hazards-board", "nav-campaigns-list", "nav-campaigns-my_tasks"):
        assert f'data-testid="{testid}"' not in expert
    enterprise = _home(Client(), world, "enterprise_a")
    assert 'data-testid="nav-orgs-structure"' not in enterprise
    assert 'data-testid="nav-campaigns-my_tasks"' in enterprise  # an enterprise named in a plan reports on it
    office = _home(Client(), world, "office")
    for testid in ("nav-orgs-structure", "nav-hazards-board", "nav-campaigns-list"):
        assert f'data-testid="{testid}"' in office
