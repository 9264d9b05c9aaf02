"""Credit data made through the services, for the tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from credit import services
from credit.choices import EventKind
from credit.models import BlacklistEntry, CreditEvent
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction
from tests.personas import World

_serial = itertools.count(1)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def obstruction(world: World, *, enterprise: Enterprise | None = None, days: int = 400, actor: str = "regulator",
                grounds: str = "拒绝执法人员进入生产车间检查") -> CreditEvent:
    return services.event_register(actor=world.user(actor), enterprise=enterprise or world.enterprises["ent_a1"],
                                   kind=EventKind.OBSTRUCTION, grounds=grounds, occurred_on=days_ago(days))


def fresh_enterprise(name: str = "", *, legal_representative: str = "张三丰", place: str = "东山街道",
                     domain: str = "D12") -> Enterprise:
    n = next(_serial)
    ent = enterprise_services.enterprise_create(
        actor=None, name=name or f"东山信用测试{n}有限公司", credit_code=make_credit_code(f"91430381CR{n:07d}"),
        jurisdiction=Jurisdiction.objects.get(name=place), domains=list(Domain.objects.filter(code=domain)),
        address=f"{place}信用路{n}号")
    Enterprise.objects.filter(pk=ent.pk).update(legal_representative=legal_representative, principal="李四光")
    ent.refresh_from_db()
    return ent


def listed(world: World, enterprise: Enterprise, *, grounds: str = "发生较大生产安全责任事故", days: int = 0,
           actor: str = "regulator") -> BlacklistEntry:
    entry = services.blacklist_propose(actor=world.user(actor), enterprise=enterprise, grounds=grounds,
                                       basis="《安全生产严重失信主体名单管理办法》")
    if days:
        BlacklistEntry.objects.filter(pk=entry.pk).update(proposed_at=timezone.now() - dt.timedelta(days=days))
        entry.refresh_from_db()
    return services.blacklist_transition(actor=world.user(actor), entry=entry, action="decide",
                                         statement="企业未提出陈述申辩", listed_on=days_ago(days))
