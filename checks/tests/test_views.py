"""The pages: the run form posted whole (with photos), the run page linking to its hazards, the library, figures,
scoped lists with bounded queries, outsiders 404."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from checks import services
from checks.choices import CheckerLevel, Frequency
from checks.models import CheckRun, DueCheck, ItemResult
from checks.tests.factories import fail, new_uuid, own_list, seed_list, shop
from hazards.tests.factories import photo
from tests.personas import World

pytestmark = pytest.mark.django_db


def _client(world: World, key: str) -> Client:
    client = Client()
    client.force_login(world.users[key])
    return client


def test_the_run_form_posts_a_shift_check_with_one_failure_and_a_photo(world: World) -> None:
    checklist = own_list(world)
    items = list(checklist.items.order_by("position"))
    today = timezone.localdate()
    plan = services.plan_create(actor=world.user("enterprise_a"), checklist=checklist, frequency=Frequency.SHIFT,
                                checker_level=CheckerLevel.TEAM, starts_on=today, enterprise=world.enterprises["ent_a1"])
    services.generate_due(today=today)
    due = DueCheck.objects.filter(plan=plan).order_by("shift").first()
    client = _client(world, "enterprise_a")
    home = client.get("/").content.decode()
    assert f"/checks/run/new/?due={due.pk}" in home  # today's checks on the home page
    form = client.get(f"/checks/run/new/?due={due.pk}")
    assert form.status_code == 200
    key = str(uuid.uuid4())
    post = {"uuid": key, "due": due.pk, "place": "一号车间", "action": "submit",
            f"outcome_{items[0].pk}": "fail", f"disposal_{items[0].pk}": "hazard", f"note_{items[0].pk}": "防护罩松动",
            f"photo_{items[0].pk}": photo(), f"outcome_{items[1].pk}": "pass"}
    response = client.post("/checks/run/new/", post)
    run = CheckRun.objects.get(uuid=key)
    assert response.status_code == 302 and response["Location"] == f"/checks/runs/{run.pk}/"
    due.refresh_from_db()
    assert due.run_id == run.pk and run.hazards_created == 1
    hazard = ItemResult.objects.get(run=run).hazard
    page = client.get(f"/checks/runs/{run.pk}/").content.decode()
    assert f"/hazards/{hazard.pk}/" in page
    assert f"/checks/runs/{run.pk}/" in client.get(f"/hazards/{hazard.pk}/").content.decode()
    # Posted again (a phone that lost the answer): the same run, no second hazard.
    post[f"photo_{items[0].pk}"] = photo()
    again = client.post("/checks/run/new/", post)
    assert again["Location"] == f"/checks/runs/{run.pk}/" and CheckRun.objects.count() == 1


def test_the_run_form_refuses_bad_input_with_a_message_and_writes_nothing(world: World) -> None:
    checklist = own_list(world)
    item = checklist.items.first()
    client = _client(world, "enterprise_a")
    response = client.post("/checks/run/new/", {
        "uuid": str(uuid.uuid4()), "checklist": checklist.pk, f"outcome_{item.pk}": "fail",
        f"disposal_{item.pk}": "on_spot"})
    assert response.status_code == 400 and "立查立改" in response.content.decode()
    bad_uuid = client.post("/checks/run/new/", {"uuid": "x", "checklist": checklist.pk})
    assert bad_uuid.status_code == 400 and not CheckRun.objects.exists()


def test_a_grid_member_checks_a_shop_against_the_seed_standard(world: World) -> None:
    shop_list = seed_list("xiangxiang-2020-d3-1")
    place = shop(world)
    client = _client(world, "township_a")
    listing = client.get(f"/checks/premises/?list={shop_list.pk}").content.decode()
    assert f"/checks/run/new/?checklist={shop_list.pk}&amp;premises={place.pk}" in listing
    items = {i.position: i for i in shop_list.items.all()}
    key = str(uuid.uuid4())
    response = client.post("/checks/run/new/", {
        "uuid": key, "checklist": shop_list.pk, "premises": place.pk, "action": "submit",
        f"value_{items[1].pk}": "1", f"value_{items[4].pk}": "1", f"outcome_{items[4].pk}": "pass",
        f"disposal_{items[4].pk}": "hazard", f"photo_{items[4].pk}": photo()})
    assert response.status_code == 302, response.content.decode().split("run-errors")[-1][:600]
    run = CheckRun.objects.get(uuid=key)
    assert run.by_government and run.items_failed == 1 and run.premises == place
    assert client.get(f"/checks/runs/{run.pk}/").status_code == 200
    # Another township does not see the shop or its run.
    other = _client(world, "township_b")
    assert other.get(f"/checks/runs/{run.pk}/").status_code == 404
    assert other.get(f"/checks/run/new/?checklist={shop_list.pk}&premises={place.pk}").status_code == 404


def test_lists_and_figures_render_with_bounded_queries(world: World, django_assert_max_num_queries) -> None:
    checklist = own_list(world)
    worker = world.user("enterprise_a")
    for _ in range(4):
        services.run_record(actor=worker, uuid=new_uuid(), checklist=checklist, enterprise=world.enterprises["ent_a1"],
                            results=[fail(checklist.items.first())])
    client = _client(world, "office")
    for url in ("/checks/runs/", "/checks/due/", "/checks/plans/", "/checks/lists/", "/checks/premises/",
                "/checks/figures/?group=township", "/checks/figures/?group=domain", "/checks/"):
        with django_assert_max_num_queries(30):
            response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/checks/figures/?group=enterprise").content.decode()
    assert "东山测试钢铁有限公司" in page and f"enterprise={world.enterprises['ent_a1'].pk}" in page
    assert client.get("/checks/figures/?start=bad&end=2099-99-99").status_code == 200


def test_the_library_page_marks_items_to_verify_and_the_office_verifies(world: World) -> None:
    from checks.tests.factories import standard

    gongmao = standard("gongmao-major-hazard", "2023")
    item = gongmao.items.get(clause="第九条（一）")
    office = _client(world, "office")
    page = office.get(f"/checks/lists/{gongmao.pk}/").content.decode()
    assert "待核" in page and f"/checks/items/{item.pk}/verify/" in page
    assert _client(world, "regulator").post(f"/checks/items/{item.pk}/verify/").status_code == 403
    assert office.post(f"/checks/items/{item.pk}/verify/").status_code == 302
    item.refresh_from_db()
    assert item.verified_at is not None


def test_checklist_export_imports_back_unchanged(world: World) -> None:
    import io

    from checks.importer import IMPORTER

    checklist = own_list(world, items=2)
    office = world.user("office")
    services.item_save(actor=office, checklist=checklist, text="液位", item_type="value", quantity="液位",
                       unit="m", min_value=1, max_value=3, major_hazard_criterion=True)
    data = _client(world, "office").get(f"/checks/lists/{checklist.pk}/export.xlsx").content
    before = list(checklist.items.order_by("position").values_list("text", "item_type", "min_value", "max_value",
                                                                  "major_hazard_criterion", "on_spot_allowed"))
    outcome = IMPORTER.run(actor=office, file=io.BytesIO(data), params={"checklist": checklist.pk})
    assert outcome.ok, outcome.errors
    after = list(checklist.items.order_by("position").values_list("text", "item_type", "min_value", "max_value",
                                                                 "major_hazard_criterion", "on_spot_allowed"))
    assert after == before and outcome.created == 3


def test_enterprise_sync_and_campaign_push_pages(world: World) -> None:
    from risk.tests.factories import make_point

    make_point(world.enterprises["ent_a1"], "orange", name="喷涂车间")
    client = _client(world, "enterprise_a")
    response = client.post(f"/checks/enterprise/{world.enterprises['ent_a1'].pk}/sync/")
    assert response.status_code == 302
    assert DueCheck.objects.filter(enterprise=world.enterprises["ent_a1"], due_on=timezone.localdate()).exists()
    assert client.post(f"/checks/enterprise/{world.enterprises['ent_b1'].pk}/sync/").status_code == 404
    shop_list = seed_list("xiangxiang-2020-d12-1")
    office = _client(world, "office")
    today = timezone.localdate()
    response = office.post("/checks/campaign/", {
        "title": "粉尘防爆专项检查", "checklist": shop_list.pk, "domain": world.enterprises["ent_a1"].domains.first().pk,
        "starts_on": today.isoformat(), "due_on": (today + dt.timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    assert DueCheck.objects.filter(plan__campaign="粉尘防爆专项检查").count() >= 2
    assert shop(world)  # township can still register premises


@pytest.mark.parametrize("group", ["enterprise", "township", "domain"])
def test_figures_page_reads_the_rollup_in_a_fixed_number_of_queries(world: World, group: str,
                                                                    django_assert_max_num_queries) -> None:
    """The figures page costs the same few queries however many enterprises, days and runs it sums: the counts come
    from one grouped query over ``CheckDay``, 覆盖率 from two over due checks, the labels from one or two."""
    from checks import rollup
    from checks.models import CheckDay
    from orgs.models import Domain

    checklist = own_list(world)
    worker = world.user("enterprise_a")
    for days_ago in range(3):
        services.run_record(actor=worker, uuid=new_uuid(), checklist=checklist, enterprise=world.enterprises["ent_a1"],
                            performed_at=timezone.now() - dt.timedelta(days=days_ago),
                            results=[fail(checklist.items.first())])
    assert CheckDay.objects.filter(enterprise=world.enterprises["ent_a1"]).count() == 3
    # Rollup rows of every other enterprise over a year (written directly: only the figures are measured here).
    today = timezone.localdate()
    domain = Domain.objects.order_by("pk").first()
    rollup.upsert(({"enterprise_id": e.pk, "premises_id": None, "jurisdiction_id": e.jurisdiction_id,
                    "jurisdiction_path": e.jurisdiction_path, "domain_id": domain.pk,
                    "day": today - dt.timedelta(days=d), "due": 3, "done": 2, "on_time": 1, "runs": 2}
                   for e in world.enterprises.values() if e.pk != world.enterprises["ent_a1"].pk
                   for d in range(0, 365, 7)), fields=("due", "done", "on_time", "runs"), add=True)
    client = _client(world, "office")
    with django_assert_max_num_queries(16):
        response = client.get(f"/checks/figures/?group={group}&start={today - dt.timedelta(days=365)}&end={today}")
    assert response.status_code == 200
