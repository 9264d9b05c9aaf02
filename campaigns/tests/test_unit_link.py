"""An enterprise account acts for the unit its enterprise is linked to (``Enterprise.unit``), not for a unit that
happens to share its name: renaming the enterprise or the unit changes nothing anyone sees."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import Role
from accounts.models import User
from campaigns import services
from campaigns.choices import PlanKind, UnitRole
from campaigns.models import Campaign, ListItem, Task
from campaigns.tests.conftest import assign
from campaigns.twolists import list_item_save
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction, Unit
from tests.personas import World

pytestmark = pytest.mark.django_db

POST = "市邮政公司"  # an enterprise named as a responsible unit in the seed plans


def _enterprise(name: str, n: int) -> tuple[Enterprise, User]:
    ent = enterprise_services.enterprise_create(
        actor=None, name=name, credit_code=make_credit_code(f"91430381UL{n:07d}"),
        jurisdiction=Jurisdiction.objects.get(name="东山街道"), domains=list(Domain.objects.filter(code="D5")))
    user = account_services.user_create(actor=None, username=f"unit_link_{n}", password="Persona#2026",
                                        enterprise=ent, must_change_password=False)
    account_services.role_grant(actor=None, user=user, role=Role.ENTERPRISE)
    return ent, user


@pytest.fixture
def post_task(world: World) -> Task:
    campaign = services.campaign_create(
        actor=None, name="单位关联测试行动", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 12, 31),
        office_unit=Unit.objects.get(name="市安委办"), jurisdiction=Jurisdiction.objects.get(code="430381"))
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.MASTER, code="master", title="总方案",
                              short_name="总方案", sort=0)
    task = services.task_create(actor=None, plan=plan, title="邮政寄递安全检查", units=assign((POST, UnitRole.LEAD)),
                                **services.deadline_values("2024年3月底", default_year=2024))
    list_item_save(actor=None, campaign=campaign, unit=Unit.objects.get(name=POST), kind="problem",
                   item="寄递车辆超载", entry=None, measure="", owner="", deadline=None)
    return task


def _sees(user: User, task: Task) -> tuple[bool, bool, bool]:
    user = User.objects.select_related("unit", "enterprise__unit").get(pk=user.pk)
    return (Task.objects.visible_to(user).filter(pk=task.pk).exists(),
            Campaign.objects.visible_to(user).filter(pk=task.campaign_id).exists(),
            ListItem.objects.visible_to(user).filter(campaign=task.campaign_id).exists())


def test_a_namesake_enterprise_sees_nothing_until_linked(world: World, post_task: Task) -> None:
    ent, user = _enterprise(POST, 1)
    assert _sees(user, post_task) == (False, False, False)
    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent,
                                          unit=Unit.objects.get(name=POST))
    assert _sees(user, post_task) == (True, True, True)


def test_renaming_the_enterprise_or_the_unit_changes_nothing(client, world: World, post_task: Task) -> None:  # noqa: ANN001
    ent, user = _enterprise("邮政湘乡分公司", 2)
    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent,
                                          unit=Unit.objects.get(name=POST))
    assert _sees(user, post_task) == (True, True, True)
    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent, name="中国邮政湘乡分公司")
    Unit.objects.filter(name=POST).update(name="湘乡市邮政分公司")  # no rename service yet: the table as renamed
    assert _sees(user, post_task) == (True, True, True)
    client.force_login(user)
    assert "邮政寄递安全检查" in client.get(reverse("campaigns:my_tasks")).content.decode()
    # And a new enterprise that takes the old name gets nothing.
    _ent, namesake = _enterprise(POST, 3)
    assert _sees(namesake, post_task) == (False, False, False)


def test_only_a_single_enterprise_unit_can_be_linked_by_government(world: World) -> None:
    ent, user = _enterprise("关联校验测试公司", 4)
    with pytest.raises(ValidationError):
        enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent,
                                              unit=Unit.objects.get(name="市应急管理局"))
    with pytest.raises(ValidationError):
        enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent,
                                              unit=Unit.objects.get(name="各企业"))
    with pytest.raises(PermissionDenied):
        enterprise_services.enterprise_update(actor=User.objects.get(pk=user.pk), enterprise=ent,
                                              unit=Unit.objects.get(name=POST))
    enterprise_services.enterprise_update(actor=world.user("office"), enterprise=ent, unit=Unit.objects.get(name=POST))
    other, _user = _enterprise("另一家测试公司", 5)
    with pytest.raises(ValidationError):
        enterprise_services.enterprise_update(actor=world.user("office"), enterprise=other,
                                              unit=Unit.objects.get(name=POST))


def test_the_migration_links_name_matches_and_reports_the_rest(world: World, capsys) -> None:  # noqa: ANN001
    migration = importlib.import_module("enterprises.migrations.0005_link_units_by_name")
    matched, _u = _enterprise(POST, 6)
    department, _u = _enterprise("市应急管理局", 7)  # a government unit's name: never linked
    twin_a, _u = _enterprise("国网湘乡供电分公司", 8)
    twin_b, _u = _enterprise("国网湘乡供电分公司", 9)
    collective, _u = _enterprise("各企业", 10)
    unmatched, _u = _enterprise("无同名单位的测试公司", 11)
    migration.link_units_by_name(apps, None)
    for ent in (matched, department, twin_a, twin_b, collective, unmatched):
        ent.refresh_from_db()
    assert matched.unit == Unit.objects.get(name=POST)
    assert department.unit is None and twin_a.unit is None and twin_b.unit is None
    assert collective.unit is None and unmatched.unit is None
    out = capsys.readouterr().out
    assert "市应急管理局" in out and "国网湘乡供电分公司: 2 enterprises" in out and "各企业" in out
    assert POST not in out and "无同名单位" not in out
    migration.link_units_by_name(apps, None)  # a second run changes nothing and links nothing twice
    assert Enterprise.objects.filter(unit=Unit.objects.get(name=POST)).count() == 1
