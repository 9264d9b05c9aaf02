from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from ledgers import custom, lapsing
from ledgers.models import CustomRow
from tests.personas import World

COLUMNS = "场所名称|文本|必填\n类型|选项|必填|地下,地上\n警示标识|是否\n检测到期|日期|必填|到期"


def _definition(world: World):  # type: ignore[no-untyped-def]
    return custom.definition_save(
        actor=world.user("office"), definition=None, enterprises=[world.enterprises["ent_a1"]], jurisdictions=[],
        name="有限空间台账", description="", target="enterprise", domain=None,
        columns=custom.parse_columns(COLUMNS), remind_days=30, active=True)


def test_column_definition_is_parsed_and_checked() -> None:
    cols = custom.parse_columns(COLUMNS)
    assert [c["type"] for c in cols] == ["text", "choice", "bool", "date"]
    assert cols[3]["due"] and cols[1]["choices"] == ["地下", "地上"]
    with pytest.raises(ValidationError):
        custom.parse_columns("名称|颜色")
    with pytest.raises(ValidationError):
        custom.parse_columns("名称|文本|到期")


def test_only_office_and_departments_define_ledgers(world: World) -> None:
    with pytest.raises(PermissionDenied):
        custom.definition_save(actor=world.user("township_a"), definition=None, enterprises=[], jurisdictions=[],
                               name="x", columns=custom.parse_columns("a"))


def test_rows_are_validated_scoped_and_raise_reminders(client: Client, world: World) -> None:
    definition = _definition(world)
    due = dt.date.today() + dt.timedelta(days=5)
    actor = world.user("enterprise_a")
    with pytest.raises(ValidationError):
        custom.custom_row_save(actor=actor, definition=definition, enterprise=world.enterprises["ent_a1"],
                               values={"c1": "污水池", "c2": "天上", "c4": due.isoformat()})
    row = custom.custom_row_save(actor=actor, definition=definition, enterprise=world.enterprises["ent_a1"],
                                 values={"c1": "污水池", "c2": "地下", "c3": "是", "c4": due})
    assert row.due_date == due and row.values["c3"] is True
    with pytest.raises(PermissionDenied):  # not attached to ent_b1
        custom.custom_row_save(actor=world.user("enterprise_b"), definition=definition,
                               enterprise=world.enterprises["ent_b1"], values={"c1": "x", "c2": "地下", "c4": due})
    assert set(CustomRow.objects.visible_to(world.user("township_b"))) == set()
    items = lapsing.due_items(world.user("township_a"), kinds=["custom_due"])
    assert [i.row.pk for i in items] == [row.pk]
    client.force_login(world.users["township_a"])
    assert "污水池" in client.get(f"/ledgers/custom/{definition.pk}/").content.decode()
    client.force_login(world.users["township_b"])
    assert "污水池" not in client.get(f"/ledgers/custom/{definition.pk}/").content.decode()
    assert client.get(f"/ledgers/custom/{definition.pk}/rows/{row.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/ledgers/", "/ledgers/expiring/", "/ledgers/zero-out/", "/ledgers/custom/",
                                 "/ledgers/custom/new/", "/ledgers/equipment/import/", "/ledgers/permits/",
                                 "/enterprises/new/", "/enterprises/import/", "/ledgers/expiring/?export=xlsx"])
def test_pages_render_for_the_office(client: Client, world: World, url: str) -> None:
    client.force_login(world.users["office"])
    assert client.get(url).status_code == 200


def test_enterprise_user_pages(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    client.force_login(world.users["enterprise_a"])
    assert client.get("/ledgers/certificates/new/").status_code == 200
    assert client.get(f"/enterprises/{ent.pk}/licences/new/").status_code == 200
    assert client.get(f"/enterprises/{ent.pk}/edit/").status_code == 200
    assert client.get("/ledgers/custom/new/").status_code == 403
    client.force_login(world.users["sysadmin"])
    assert client.get("/ledgers/").status_code == 403
    assert client.get("/ledgers/expiring/").status_code == 403


def test_each_definition_reminds_its_own_days_ahead(world: World) -> None:
    definition = _definition(world)
    due = dt.date.today() + dt.timedelta(days=40)
    row = custom.custom_row_save(actor=None, definition=definition, enterprise=world.enterprises["ent_a1"],
                                 values={"c1": "池", "c2": "地下", "c4": due})
    office = world.user("office")
    assert lapsing.due_items(office, kinds=["custom_due"]) == []
    definition.remind_days = 60
    definition.save()
    assert [i.row.pk for i in lapsing.due_items(office, kinds=["custom_due"])] == [row.pk]
    counts = {c["kind"].key: c["soon"] for c in lapsing.due_counts(office)}
    assert counts["custom_due"] == 1


def test_a_definition_not_in_use_is_seen_only_by_its_author_and_the_office(world: World) -> None:
    draft = custom.definition_save(
        actor=world.user("regulator"), definition=None, enterprises=[], jurisdictions=[], name="未启用的筹备台账",
        description="", target="enterprise", domain=None, columns=custom.parse_columns(COLUMNS), remind_days=30,
        active=False)
    pages = [f"/ledgers/custom/{draft.pk}/", f"/ledgers/custom/{draft.pk}/template.xlsx",
             f"/ledgers/custom/{draft.pk}/import/", f"/ledgers/custom/{draft.pk}/edit/"]
    for persona, seen in (("regulator", True), ("office", True), ("township_a", False), ("enterprise_a", False),
                          ("regulator_fire", False)):
        client = Client()
        client.force_login(world.user(persona))
        assert ("未启用的筹备台账" in client.get("/ledgers/custom/").content.decode()) == seen, persona
        for url in pages[:3]:
            assert (client.get(url).status_code != 404) == seen, (persona, url)
    outsider = Client()
    outsider.force_login(world.user("regulator_fire"))
    assert outsider.get(pages[3]).status_code == 404
