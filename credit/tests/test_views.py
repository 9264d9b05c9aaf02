"""The credit pages: the enterprise page from the enterprise detail, the list by class, the home card, the
blacklist pages and moves, the joint-punishment export with hostile names, the public 曝光台, and scope (404)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credit.models import BlacklistEntry, CreditEvent, RepairApplication
from credit.tests.factories import days_ago, fresh_enterprise, listed, obstruction
from tests.personas import World

pytestmark = pytest.mark.django_db
HOSTILE = "=CMD|' /C calc'!A0<script>alert(1)</script>"


def test_the_enterprise_page_is_reached_from_the_enterprise_detail(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    obstruction(world)
    client.force_login(world.users["regulator"])
    detail = client.get(reverse("enterprises:detail", args=[ent.pk])).content.decode()
    url = reverse("credit:enterprise", args=[ent.pk])
    assert url in detail
    page = client.get(url).content.decode()
    assert "C级（较差）" in page and "拒绝执法人员进入生产车间检查" in page and 'data-testid="event-submit"' in page
    client.force_login(world.users["enterprise_a"])
    page = client.get(url).content.decode()
    assert 'data-testid="repair-submit"' in page and 'data-testid="event-submit"' not in page


def test_forms_on_the_enterprise_page_write_through_the_services(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    client.force_login(world.users["regulator"])
    response = client.post(reverse("credit:event_register", args=[ent.pk]),
                           {"kind": "standardization", "level": "3", "occurred_on": str(days_ago(1)),
                            "grounds": "安全生产标准化三级"})
    event = CreditEvent.objects.get()
    assert response.status_code == 302 and event.points == 5
    response = client.post(reverse("credit:blacklist_propose", args=[ent.pk]), {"grounds": "阻碍检查，情节严重"})
    entry = BlacklistEntry.objects.get()
    assert response["Location"] == reverse("credit:blacklist_detail", args=[entry.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="blacklist-decide"' in page and "变更历史" in page
    client.post(reverse("credit:blacklist_move", args=[entry.pk, "decide"]),
                {"statement": "未提出陈述申辩", "listed_on": str(timezone.localdate())})
    assert BlacklistEntry.objects.get().status == "listed"
    assert client.post(reverse("credit:recompute", args=[ent.pk])).status_code == 302
    client.force_login(world.users["enterprise_a"])
    client.post(reverse("credit:repair_apply", args=[ent.pk]),
                {"blacklist_entry": entry.pk, "rectification": "已整改", "commitment": "承诺"})
    application = RepairApplication.objects.get()
    page = client.get(reverse("credit:repair_detail", args=[application.pk])).content.decode()
    assert 'data-testid="repair-conditions"' in page and "repair-approve" not in page


def test_the_list_by_class_and_the_home_card(client: Client, world: World) -> None:
    obstruction(world)
    client.force_login(world.users["office"])
    home = client.get("/").content.decode()
    assert 'data-testid="card-credit-c"' in home and f"{reverse('credit:list')}?klass=c" in home
    listing = client.get(reverse("credit:list"), {"klass": "c"}).content.decode()
    assert world.enterprises["ent_a1"].name in listing and world.enterprises["ent_b1"].name not in listing
    listing = client.get(reverse("credit:list"), {"klass": "a"}).content.decode()
    assert world.enterprises["ent_a1"].name not in listing and world.enterprises["ent_b1"].name in listing
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("credit:list"))
    for _ in range(5):
        obstruction(world, enterprise=fresh_enterprise(), days=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("credit:list"))
    assert len(many) == len(few)
    client.force_login(world.users["enterprise_a"])
    assert 'data-testid="card-credit' not in client.get("/").content.decode()
    assert client.get(reverse("credit:list")).status_code == 403


def test_joint_punishment_export_masks_people_and_keeps_hostile_text_as_text(client: Client, world: World) -> None:
    ent = fresh_enterprise(name=HOSTILE, legal_representative="欧阳锋")
    listed(world, ent, grounds=f"{HOSTILE}；法定代表人欧阳锋拒绝检查")
    gone = listed(world, fresh_enterprise(name="已移出测试有限公司"))
    from credit import services

    services.blacklist_transition(actor=world.user("regulator"), entry=gone, action="remove", note="期满")
    client.force_login(world.users["office"])
    response = client.get(reverse("credit:joint_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("统一社会信用代码", "主体名称", "法定代表人", "列入事由", "列入依据", "列入日期", "认定部门",
                       "有效期至")
    assert len(rows) == 2 and rows[1][1] == HOSTILE and rows[1][2] == "欧**"
    assert "欧阳锋" not in rows[1][3] and rows[1][3].startswith("=CMD")
    assert sheet.cell(2, 2).data_type == "s"
    client.force_login(world.users["township_b"])
    assert len(list(openpyxl.load_workbook(io.BytesIO(client.get(reverse("credit:joint_export")).content))
                    .active.iter_rows())) == 1


def test_the_public_board_lists_the_blacklist_masked(world: World) -> None:
    ent = fresh_enterprise(legal_representative="欧阳锋")
    listed(world, ent, grounds="欧阳锋拒绝检查")
    page = Client().get(reverse("tips:board")).content.decode()
    assert "严重失信主体名单" in page and ent.name in page and "欧阳锋" not in page


def test_outsiders_get_404(client: Client, world: World) -> None:
    event = obstruction(world)
    entry = listed(world, world.enterprises["ent_a1"])
    urls = [reverse("credit:enterprise", args=[world.enterprises["ent_a1"].pk]), reverse("credit:event", args=[event.pk]),
            reverse("credit:blacklist_detail", args=[entry.pk])]
    for persona in ("township_b", "regulator_fire", "enterprise_b"):
        client.force_login(world.users[persona])
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
        response = client.post(reverse("credit:blacklist_move", args=[entry.pk, "remove"]), {"note": "越权"})
        assert response.status_code in (403, 404)
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "listed"
