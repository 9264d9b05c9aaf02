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


# -- government homes: each role's own work first, every number a link to the list behind it ---------------------
def _cards(html: str) -> list[str]:
    """The home page's card test ids, in the order shown."""
    import re

    return re.findall(r'data-testid="(card-[a-z-]+)"', html)


def _number(html: str, testid: str) -> tuple[str, int]:
    """(href, number) of the link with this test id."""
    import re

    match = re.search(rf'<a [^>]*href="([^"]+)" data-testid="{testid}"><div class="fs-\d">(\d+)</div>', html)
    assert match, testid
    return match[1].replace("&amp;", "&"), int(match[2])


def test_township_home_shows_its_territory_overdue_items_first(client: Client, world: World) -> None:
    from escalation import supervision
    from orgs.models import Unit

    today = timezone.localdate()
    supervision.item_assign(actor=world.user("office"), title="东山燃气排查", assignee=Unit.objects.get(name="东山街道"),
                            deadline=today - dt.timedelta(days=2), today=today - dt.timedelta(days=30))
    supervision.item_assign(actor=world.user("office"), title="山枣燃气排查", assignee=Unit.objects.get(name="山枣镇"),
                            deadline=today - dt.timedelta(days=2), today=today - dt.timedelta(days=30))
    html = _home(client, world, "township_a")
    cards = _cards(html)
    assert cards[:3] == ["card-hazards", "card-my-supervision", "card-due"], cards
    assert "card-unit-tasks" in cards
    href, n = _number(html, "mine-overdue")
    assert n == 1  # its own, not 山枣镇's
    listed = client.get(href).context["objects"]
    assert [i.title for i in listed] == ["东山燃气排查"]  # the number and its list agree


def test_department_home_shows_what_awaits_its_acceptance_first(client: Client, world: World) -> None:
    html = _home(client, world, "regulator")
    cards = _cards(html)
    assert cards[:3] == ["card-department-hazards", "card-unit-tasks", "card-enforcement-month"], cards
    assert cards.index("card-enforcement-month") < cards.index("card-hazards")
    for testid in ("dept-acceptance", "dept-major", "month-planned", "month-draws", "unit-tasks-overdue"):
        href, _n = _number(html, testid)
        assert client.get(href).status_code == 200, href


def test_office_home_shows_the_campaign_and_the_board_first(client: Client, world: World) -> None:
    import datetime as _dt

    from campaigns import services as campaign_services
    from campaigns.choices import CampaignStage
    from campaigns.lifecycle import campaign_transition
    from orgs.models import Jurisdiction, Unit

    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=None, name="本年度专项整治", starts_on=today - _dt.timedelta(days=60),
        ends_on=today + _dt.timedelta(days=200), office_unit=Unit.objects.get(name="市安委办"),
        jurisdiction=Jurisdiction.objects.get(code="430381"))
    if campaign.stage != CampaignStage.RUNNING:
        campaign_transition(actor=world.user("office"), campaign=campaign, action="start")
    html = _home(client, world, "office")
    cards = _cards(html)
    assert cards[:2] == ["card-office-campaign", "card-board"], cards
    assert "本年度专项整治" in html
    for testid in ("office-tasks-total", "office-tasks-overdue", "office-reviews", "board-pending",
                   "board-items-overdue"):
        href, _n = _number(html, testid)
        assert client.get(href).status_code == 200, href
    assert 'data-testid="card-campaigns"' not in html  # the office's own campaign card replaces the general one


def test_government_homes_count_in_a_fixed_number_of_queries(client: Client, world: World) -> None:
    """Every card counts in the database: more items in scope never add queries to a home page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from escalation import supervision
    from orgs.models import Unit

    def queries(key: str) -> int:
        client.force_login(world.users[key])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    for key in ("office", "township_a", "regulator"):
        queries(key)  # warm: the first request of a session reads more (session, security policy)
    before = {key: queries(key) for key in ("office", "township_a", "regulator")}
    today = timezone.localdate()
    for i in range(6):
        supervision.item_assign(actor=world.user("office"), title=f"排查{i}", assignee=Unit.objects.get(name="东山街道"),
                                deadline=today - dt.timedelta(days=i + 1), today=today - dt.timedelta(days=30))
    after = {key: queries(key) for key in before}
    assert all(after[key] <= before[key] for key in before), (before, after)
    assert max(before.values()) < 60
