"""Every figure goes through ``visible_to`` (issue 9, item 7).

The generic proof: render every page without parameters (home cards included, so every card registered with
``core.dashboard``), the figure pages of an enterprise and every API list, as a persona; then add data out of
that persona's scope (hazards with a marker in their description, major and overdue ones, listed for 挂牌督办,
in another domain of an enterprise the persona partly regulates, in the other township) and render again.
Nothing may change: not a count, not a name. A page or card added later is covered without naming it here.

The enterprise ``E`` lies in territory A with two domains: 工贸 (D12, the emergency bureau's) and 消防 (D3, the
fire brigade's), so each department sees one half of it."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts import services as account_services
from accounts.choices import Role
from accounts.models import User
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from hazards import services as hazard_services
from hazards import supervision as supervision_services
from hazards.choices import Grade, Source
from hazards.models import Hazard, StatisticsReport
from hazards.selectors import last_closed_periods
from hazards.statistics import stats_report_submit
from hazards.tests.factories import MAJOR_REPORT
from orgs.models import Domain, Jurisdiction, Unit
from tests.openapi import load_schema
from tests.personas import World

pytestmark = pytest.mark.django_db

MARK = "越界标记"
SKIP_NAMES = {"logout", "set_language", "javascript-catalog", "openapi-schema", "api-docs", "import_template",
              "mark_read", "login", "health"}


def parameterless_pages() -> list[str]:
    """Every GET page whose URL takes no parameter, found in the URL configuration (admin and API aside)."""
    out: list[str] = []

    def walk(patterns: Any, prefix: str) -> Iterator[tuple[str, str | None]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    for route, name in walk(get_resolver().url_patterns, ""):
        if "<" in route or "^" in route or route.startswith(("sysadmin/", "api/", "i18n/")) or name in SKIP_NAMES:
            continue
        if route.endswith((".xlsx", ".json", ".docx")) or route.endswith("/new/"):
            continue
        out.append("/" + route)
    return sorted(set(out))


def api_lists() -> list[str]:
    doc = load_schema()
    return sorted(path for path, item in doc["paths"].items() if "{" not in path and "get" in item
                  and path not in ("/api/v1/openapi.json",))


# -- the world -------------------------------------------------------------------------------------
def _two_domain_enterprise() -> tuple[Enterprise, User]:
    ent = enterprise_services.enterprise_create(
        actor=None, name="东山双领域测试实业有限公司", credit_code=make_credit_code("91430381PT0000990"),
        jurisdiction=Jurisdiction.objects.get(name="东山街道"), address="东山街道测试路99号",
        domains=list(Domain.objects.filter(code__in=["D12", "D3"])))
    user = account_services.user_create(actor=None, username="ent_two", password="Persona#2026", full_name="双领域企业",
                                        enterprise=ent, must_change_password=False)
    account_services.role_grant(actor=None, user=user, role=Role.ENTERPRISE)
    return ent, user


def _last_quarter_start() -> dt.datetime:
    period = last_closed_periods(timezone.localdate())[0]
    return timezone.make_aware(dt.datetime.combine(period.start + dt.timedelta(days=5), dt.time(9)))


def _hazard(world: World, actor: str, *, enterprise: Enterprise | None = None, domain: str = "D12",
            grade: str | None = Grade.MAJOR, description: str, overdue: bool = False, place: str = "",
            jurisdiction: str = "", listed: bool = False, found_at: dt.datetime | None = None) -> Hazard:
    user = world.user(actor) if actor in world.users else User.objects.get(username=actor)
    values: dict[str, Any] = {
        "description": description, "source": Source.SELF_CHECK if user.has_role(Role.ENTERPRISE) else Source.GOVERNMENT,
        "domain": Domain.objects.get(code=domain), "grade": grade, "found_at": found_at or _last_quarter_start(),
        **(MAJOR_REPORT if grade == Grade.MAJOR else {})}
    if overdue:  # a deadline that has passed: registered as if on the day it was set
        values.update(deadline=timezone.localdate() - dt.timedelta(days=3),
                      today=timezone.localdate() - dt.timedelta(days=30))
    if enterprise is not None:
        values["enterprise"] = enterprise
    else:
        values.update(place=place, jurisdiction=Jurisdiction.objects.get(name=jurisdiction))
    hazard = hazard_services.hazard_register(actor=user, **values)
    if listed:
        supervision_services.supervision_list(
            actor=world.user("office"), hazard=hazard, level="county",
            supervising_unit=hazard.supervisor_unit or Unit.objects.get(name="市应急管理局"),
            deadline=timezone.localdate() + dt.timedelta(days=20), requirements=f"{description}督办")
    return hazard


def _base(world: World) -> Enterprise:
    """In-scope data for everyone (present before and after): figures that are not all zero."""
    from hazards.loaders import load_supervision_templates

    load_supervision_templates()
    ent, _user = _two_domain_enterprise()
    _hazard(world, "township_a", enterprise=ent, domain="D12", description="基础：E工贸重大", listed=True)
    _hazard(world, "township_a", enterprise=ent, domain="D3", description="基础：E消防重大", overdue=True)
    _hazard(world, "ent_two", enterprise=ent, domain="D3", grade=Grade.GENERAL, description="基础：E消防自查")
    _hazard(world, "enterprise_a", enterprise=world.enterprises["ent_a1"], description="基础：A1重大")
    _hazard(world, "township_b", enterprise=world.enterprises["ent_b1"], grade=Grade.GENERAL,
            description="基础：B1一般", overdue=True)
    _hazard(world, "township_b", jurisdiction="山枣镇", place="山枣路口", grade=None, description="基础：山枣路口")
    return ent


def _out_of_scope_candidates(world: World, ent: Enterprise) -> list[Callable[[], Hazard]]:
    def n(i: int) -> str:
        return f"{MARK}{i}：隐患"

    return [
        lambda: _hazard(world, "township_a", enterprise=ent, domain="D3", description=n(1), listed=True, overdue=True),
        lambda: _hazard(world, "township_a", enterprise=ent, domain="D12", description=n(2), listed=True,
                        overdue=True),
        lambda: _hazard(world, "ent_two", enterprise=ent, domain="D3", grade=Grade.GENERAL, description=n(3)),
        lambda: _hazard(world, "ent_two", enterprise=ent, domain="D12", grade=None, description=n(4)),
        lambda: _hazard(world, "township_b", enterprise=world.enterprises["ent_b1"], description=n(5), listed=True,
                        overdue=True),
        lambda: _hazard(world, "township_b", enterprise=world.enterprises["ent_b2"], domain="D1",
                        grade=Grade.GENERAL, description=n(6), overdue=True),
        lambda: _hazard(world, "township_b", jurisdiction="山枣镇", place="山枣桥", grade=Grade.MAJOR,
                        description=n(7), overdue=True),
        lambda: _hazard(world, "township_a", enterprise=world.enterprises["ent_a2"], domain="D3",
                        description=n(8), overdue=True),
        lambda: _hazard(world, "enterprise_a", enterprise=world.enterprises["ent_a1"], grade=Grade.GENERAL,
                        description=n(9)),
    ]


class _Visible(Exception):
    pass


def add_out_of_scope(world: World, persona: str, ent: Enterprise) -> int:
    """Create each candidate; keep it only if ``persona`` cannot see it. Returns how many were kept."""
    viewer = world.user(persona)
    kept = 0
    for make in _out_of_scope_candidates(world, ent):
        try:
            with transaction.atomic():
                hazard = make()
                if Hazard.objects.visible_to(viewer).filter(pk=hazard.pk).exists():
                    raise _Visible
                kept += 1
        except _Visible:
            pass
    return kept


# -- rendering ---------------------------------------------------------------------------------------
NOISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken"'),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b"), "HH:MM"),
]


def render(client: Client, url: str) -> str:
    response = client.get(url)
    body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith(
        ("text/", "application/json")) else f"<{len(response.content)} bytes>"
    for pattern, repl in NOISE:
        body = pattern.sub(repl, body)
    return f"{response.status_code}\n{body}"


def pages_for(world: World, ent: Enterprise) -> list[str]:
    stats = f"?enterprise={ent.pk}"
    report = StatisticsReport.objects.filter(enterprise=ent).first()
    extra = [f"/enterprises/{ent.pk}/", f"/risk/enterprise/{ent.pk}/", f"/hazards/statistics/{stats}",
             f"/hazards/statistics/notice/{stats}", "/hazards/?state=open", "/hazards/?grade=major",
             "/hazards/board/?mine=1", "/escalation/items/hazards.hazard/", "/escalation/items/hazards.review/",
             f"/api/v1/hazards/?enterprise={ent.pk}"]
    if report is not None:
        extra.append(f"/hazards/statistics/{report.pk}/")
    return [*parameterless_pages(), *api_lists(), *extra]


@pytest.mark.parametrize("persona", ["township_a", "township_b", "regulator", "regulator_fire", "enterprise_a"])
def test_no_page_or_api_shows_figures_from_outside_the_viewers_scope(world: World, persona: str) -> None:
    ent = _base(world)
    two = User.objects.get(username="ent_two")
    period = last_closed_periods(timezone.localdate())[0]
    stats_report_submit(actor=two, enterprise=ent, kind=period.kind, year=period.year, quarter=period.quarter,
                        principal="赵六")
    client = Client()
    client.force_login(world.users[persona])
    # Pages anyone reaches without an account (the public 举报 page, the 曝光台, 双随机 publication) are the same
    # for every viewer by design: they show no one's scope, so they are not figures of one.
    public = {url for url in pages_for(world, ent) if not url.startswith("/api/")
              and Client().get(url).status_code == 200}
    urls = [url for url in pages_for(world, ent) if url not in public]
    before = {url: render(client, url) for url in urls}
    assert add_out_of_scope(world, persona, ent) >= 3, "the fixture must put something out of this scope"
    changed = []
    for url in urls:
        after = render(client, url)
        if after != before[url]:
            diff = "\n".join(list(difflib.unified_diff(before[url].splitlines(), after.splitlines(), lineterm="",
                                                       n=0))[2:12])
            changed.append(f"{url}\n{diff}")
        assert MARK not in after, url
    assert not changed, f"{persona} sees data from outside their scope:\n" + "\n\n".join(changed)
    assert sum(1 for text in before.values() if text.startswith("200")) >= 20, "too few pages rendered"


# -- the pages named in the issue, directly -------------------------------------------------------
def _notice(world: World, persona: str, ent: Enterprise) -> str:
    client = Client()
    client.force_login(world.users[persona])
    response = client.get(f"/hazards/statistics/notice/?enterprise={ent.pk}")
    assert response.status_code == 200
    return response.content.decode()


def test_workers_notice_lists_only_the_departments_own_domain(world: World) -> None:
    ent, _user = _two_domain_enterprise()
    _hazard(world, "township_a", enterprise=ent, domain="D12", description="工贸：除尘系统未接地")
    _hazard(world, "township_a", enterprise=ent, domain="D3", description="消防：疏散通道堵塞")
    emergency, fire, township = (_notice(world, k, ent) for k in ("regulator", "regulator_fire", "township_a"))
    assert "除尘系统未接地" in emergency and "疏散通道堵塞" not in emergency
    assert "疏散通道堵塞" in fire and "除尘系统未接地" not in fire
    assert "疏散通道堵塞" in township and "除尘系统未接地" in township


def test_submitted_statistics_are_cut_to_the_viewers_domains(world: World) -> None:
    ent, user = _two_domain_enterprise()
    for domain, n in (("D12", 1), ("D3", 2)):
        for i in range(n):
            _hazard(world, "ent_two", enterprise=ent, domain=domain, grade=Grade.GENERAL, description=f"{domain}-{i}")
    period = last_closed_periods(timezone.localdate())[0]
    report = stats_report_submit(actor=user, enterprise=ent, kind=period.kind, year=period.year,
                                 quarter=period.quarter, principal="赵六")
    assert report.figures["total"]["found"] == 3
    assert {code: t["total"]["found"] for code, t in report.domain_figures.items()} == {"D12": 1, "D3": 2}
    found = {}
    for key in ("regulator", "regulator_fire", "township_a"):
        client = Client()
        client.force_login(world.users[key])
        page = client.get(f"/hazards/statistics/{report.pk}/").content.decode()
        found[key] = re.search(r"<td class=\"text-start\">合计</td><td>(\d+)</td>", page).group(1)
    assert found == {"regulator": "1", "regulator_fire": "2", "township_a": "3"}


def test_circulars_count_only_the_viewers_items(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from hazards.loaders import load_supervision_templates
    from notifications.models import Notification

    load_supervision_templates()
    ent, _user = _two_domain_enterprise()
    _hazard(world, "township_a", enterprise=ent, domain="D12", description="工贸督办", listed=True, overdue=True)
    _hazard(world, "township_a", enterprise=ent, domain="D3", description="消防督办", listed=True, overdue=True)
    _hazard(world, "township_b", enterprise=world.enterprises["ent_b1"], description="山枣督办", listed=True)
    with django_capture_on_commit_callbacks(execute=True):
        circular = supervision_services.circular_issue()
    assert circular is not None and circular.open_count == 3
    # The notification of the circular tells each supervising unit its own count; the county total goes to the office.
    titles = {key: set(Notification.objects.filter(recipient=world.users[key], object_id=str(circular.pk))
                       .values_list("title", flat=True)) for key in ("office", "regulator", "regulator_fire")}
    assert titles == {"office": {"重大事故隐患挂牌督办通报：2 项逾期"},
                      "regulator": {"重大事故隐患挂牌督办通报：本单位督办的 1 项逾期"},
                      "regulator_fire": {"重大事故隐患挂牌督办通报：本单位督办的 1 项逾期"}}
    expected = {"office": (3, 2), "township_a": (2, 2), "township_b": (1, 0), "regulator": (2, 1),
                "regulator_fire": (1, 1), "inspector": (2, 1)}
    for key, (open_, overdue) in expected.items():
        client = Client()
        client.force_login(world.users[key])
        page = client.get("/hazards/bulletins/").content.decode()
        row = re.search(r'<td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>', page)
        assert (int(row.group(1)), int(row.group(2))) == (open_, overdue), key
        detail = client.get(f"/hazards/bulletins/{circular.pk}/").content.decode()
        assert ("消防督办" in detail) == (key in ("office", "township_a", "regulator_fire")), key
        assert ("山枣督办" in detail) == (key in ("office", "township_b", "regulator", "inspector")), key
