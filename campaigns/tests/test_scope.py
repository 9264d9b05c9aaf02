from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Task

pytestmark = pytest.mark.django_db


def titles(user) -> set[str]:
    return set(Task.objects.visible_to(user).values_list("title", flat=True))


def test_office_sees_every_task(world, small) -> None:
    assert titles(world.user("office")) == {"东山消防通道划线", "山枣消防通道划线", "乡镇消防站建设", "应急局专题培训"}


def test_township_sees_only_its_own_tasks(world, small) -> None:
    assert titles(world.user("township_a")) == {"东山消防通道划线", "乡镇消防站建设"}
    assert titles(world.user("township_b")) == {"山枣消防通道划线", "乡镇消防站建设"}


def test_regulator_sees_its_tasks_and_the_plans_of_its_domains(world, small) -> None:
    # 市消防救援大队 regulates D3: every task of the fire plan; nothing of the master plan.
    assert titles(world.user("regulator_fire")) == {"东山消防通道划线", "山枣消防通道划线", "乡镇消防站建设"}
    # 市应急管理局 does not regulate D3: only the task it leads.
    assert titles(world.user("regulator")) == {"应急局专题培训"}


def test_enterprise_and_system_accounts_see_none(world, small) -> None:
    for key in ("enterprise_a", "expert", "sysadmin"):
        assert titles(world.user(key)) == set()
    assert not Campaign.objects.visible_to(world.user("enterprise_a")).exists()


def test_other_units_task_is_404(client, world, small) -> None:
    client.force_login(world.users["township_a"])
    assert client.get(reverse("campaigns:task_detail", args=[small.dongshan.pk])).status_code == 200
    assert client.get(reverse("campaigns:task_detail", args=[small.shanzao.pk])).status_code == 404
    client.force_login(world.users["enterprise_a"])
    assert client.get(reverse("campaigns:overview", args=[small.campaign.pk])).status_code == 404
    client.force_login(world.users["sysadmin"])
    assert client.get(reverse("campaigns:my_tasks")).status_code == 403


def test_task_list_is_scoped_and_counts_queries(client, world, small, django_assert_max_num_queries) -> None:
    client.force_login(world.users["township_a"])
    url = reverse("campaigns:tasks", args=[small.campaign.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "东山消防通道划线" in body and "山枣消防通道划线" not in body


def test_my_tasks_lists_the_units_tasks(client, world, small, django_assert_max_num_queries) -> None:
    client.force_login(world.users["township_a"])
    with django_assert_max_num_queries(20):
        body = client.get(reverse("campaigns:my_tasks")).content.decode()
    assert "东山消防通道划线" in body and "乡镇消防站建设" in body and "山枣消防通道划线" not in body


def test_overview_numbers_respect_scope(client, world, small) -> None:
    client.force_login(world.users["township_b"])
    response = client.get(reverse("campaigns:overview", args=[small.campaign.pk]))
    assert response.context["total"].total == 2
    client.force_login(world.users["office"])
    response = client.get(reverse("campaigns:overview", args=[small.campaign.pk]))
    assert response.context["total"].total == 4
    assert "<svg" in response.content.decode()
