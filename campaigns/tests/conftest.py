from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from campaigns import services
from campaigns.choices import PlanKind, UnitRole
from campaigns.loaders import SeedReport, load_seed_campaign
from campaigns.models import Campaign, Plan, Task
from campaigns.units import Resolution, resolve_into
from orgs.models import Domain, Jurisdiction, Unit


@pytest.fixture
def seed(world: object) -> tuple[Campaign, SeedReport]:
    report = load_seed_campaign()
    return Campaign.objects.get(source_key="xiangxiang-2020-7"), report


def assign(*pairs: tuple[str, str]) -> list:
    res = Resolution()
    for name, role in pairs:
        resolve_into(res, name, role)
    assert not res.unknown, res.unknown
    return res.assignments


@dataclass
class Small:
    campaign: Campaign
    plan: Plan  # D3 (fire), regulated by 市消防救援大队
    master: Plan
    dongshan: Task  # 东山街道 leads
    shanzao: Task  # 山枣镇 leads
    townships: Task  # 各乡镇（街道）, expanded to every township
    emergency: Task  # 市应急管理局 leads, in the master plan


@pytest.fixture
def small(world: object) -> Small:
    root = Jurisdiction.objects.get(code="430381")
    campaign = services.campaign_create(
        actor=None, name="测试专项整治行动", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31),
        office_unit=Unit.objects.get(name="市安委办"), jurisdiction=root)
    services.phase_save(actor=None, campaign=campaign, name="排查整治", starts_on=dt.date(2024, 1, 1),
                        ends_on=dt.date(2024, 12, 31), sort=1)
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.DOMAIN, code="D3", title="消防安全方案",
                              short_name="消防", domain=Domain.objects.get(code="D3"), sort=1)
    master = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.MASTER, code="master",
                                title="总方案", short_name="总方案", sort=0)

    def task(p: Plan, title: str, *pairs: tuple[str, str], deadline: str = "2024年3月底") -> Task:
        return services.task_create(actor=None, plan=p, title=title, units=assign(*pairs),
                                    **services.deadline_values(deadline, default_year=2024))

    return Small(
        campaign, plan, master,
        dongshan=task(plan, "东山消防通道划线", ("东山街道", UnitRole.LEAD)),
        shanzao=task(plan, "山枣消防通道划线", ("山枣镇", UnitRole.LEAD)),
        townships=task(plan, "乡镇消防站建设", ("市消防救援大队", UnitRole.LEAD), ("各乡镇（街道）", UnitRole.COOP)),
        emergency=task(master, "应急局专题培训", ("市应急管理局", UnitRole.LEAD), deadline="2024年2月8日"),
    )
