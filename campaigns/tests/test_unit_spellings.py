"""Unit spellings the office can resolve: notes, territory prefixes, regulator collectives, guesses, aliases."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaigns import services, tasktable
from campaigns.choices import PlanKind, UnitRole
from campaigns.models import Task
from campaigns.tests.test_reimport import campaign  # noqa: F401 (fixture)
from campaigns.units import REGULATOR_COLLECTIVES, expansion, guesses, resolve_responsible
from core.models import ChangeEvent
from orgs import services as org_services
from orgs.models import Unit, UnitAlias

pytestmark = pytest.mark.django_db


def units_of(text: str) -> dict[str, str]:
    res = resolve_responsible(text)
    assert not res.unknown, res.unknown
    return {a.unit.name: a.role for a in res.assignments if a.via is None}


def test_a_note_marks_the_lead_and_names_one_unit(world) -> None:
    assert units_of("市应急管理局（牵头）") == {"市应急管理局": UnitRole.LEAD}
    assert units_of("东山街道、市应急管理局(牵头)") == {"市应急管理局": UnitRole.LEAD, "东山街道": UnitRole.COOP}
    assert units_of("市应急管理局（牵头），山枣镇（配合）") == {"市应急管理局": UnitRole.LEAD, "山枣镇": UnitRole.COOP}


def test_the_territory_prefix_reads_as_shi(world) -> None:
    assert units_of("湘乡市应急管理局") == {"市应急管理局": UnitRole.LEAD}
    assert units_of("应急管理局") == {"市应急管理局": UnitRole.LEAD}


def test_regulator_collectives_expand_to_departments_with_domains(world) -> None:
    for name in REGULATOR_COLLECTIVES:
        members = list(expansion(Unit.objects.get(name=name)))
        assert members and all(m.domains.exists() and not m.collective for m in members)
        assert "市应急管理局" in {m.name for m in members} and "东山街道" not in {m.name for m in members}
    res = resolve_responsible("各负有安全监管职责的部门")
    assert not res.collective  # reached concrete units, not left as a collective
    expanded = [a for a in res.assignments if a.via is not None]
    assert expanded and {a.as_written for a in expanded} == {"各负有安全监管职责的部门"}


def test_near_spellings_are_guessed(world) -> None:
    assert "市应急管理局" in [u.name for u in guesses("市应急管理厅")]
    assert resolve_responsible("市应急管理厅").unknown == ["市应急管理厅"]


def test_alias_and_unit_services_are_the_offices_and_audited(world) -> None:
    unit = Unit.objects.get(name="市应急管理局")
    with pytest.raises(PermissionDenied):
        org_services.alias_add(actor=world.user("township_a"), unit=unit, alias="应急局（安委办）")
    org_services.alias_add(actor=world.user("office"), unit=unit, alias="市应急管理厅")
    assert units_of("市应急管理厅") == {"市应急管理局": UnitRole.LEAD}
    assert ChangeEvent.objects.for_object(unit).filter(action="orgs.alias_add").exists()
    office = world.user("office")
    grid = org_services.unit_create_by_office(actor=office, name="国网湘乡市供电公司", kind="other",
                                              jurisdiction=office.unit.jurisdiction)
    assert ChangeEvent.objects.for_object(grid).filter(action="orgs.create").exists()


def test_alias_page_for_the_office_only(world, client) -> None:
    client.force_login(world.user("township_a"))
    assert client.get(reverse("orgs:aliases")).status_code == 403
    client.force_login(world.user("office"))
    assert 'data-testid="aliases-link"' in client.get(reverse("orgs:structure")).content.decode()
    assert client.get(reverse("orgs:aliases") + "?alias=x").status_code == 200
    unit = Unit.objects.get(name="市应急管理局")
    response = client.post(reverse("orgs:aliases"), {"alias": "应急管理厅", "unit": unit.pk, "next": "/campaigns/"})
    assert response.status_code == 302 and response["Location"] == "/campaigns/"
    assert UnitAlias.objects.filter(unit=unit, alias="应急管理厅").exists()
    response = client.post(reverse("orgs:aliases"), {"alias": "供电公司", "new_name": "国网湘乡市供电公司",
                                                     "new_kind": "other", "next": "https://evil.example/"})
    assert response["Location"] == reverse("orgs:aliases")
    assert UnitAlias.objects.filter(unit__name="国网湘乡市供电公司", alias="供电公司").exists()
    response = client.post(reverse("orgs:aliases"), {"alias": "x"})
    assert response.status_code == 200 and "请选择对应单位" in response.content.decode()


def test_unknown_spellings_are_listed_in_the_preview_then_resolved(world, campaign, client) -> None:  # noqa: F811
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="U1", title="方案",
                              short_name="方案")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate([["序号", "任务", "责任单位", "完成时限"],
                             ["1", "电力设施隐患排查", "国网湘乡市供电公司（牵头）、湘乡市应急管理局", "2020年12月底"]]):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    client.force_login(world.user("office"))
    upload = io.BytesIO(buf.getvalue())
    upload.name = "t.xlsx"
    response = client.post(reverse("campaigns:table_import", args=[campaign.pk]),
                           {"plan": plan.pk, "year": 2020, "file": upload}, follow=True)
    page = response.content.decode()
    assert 'data-testid="import-unknown-units"' in page and "“国网湘乡市供电公司”" in page
    assert "湘乡市应急管理局”" not in page  # resolved through the prefix rule
    job = response.context["job"]
    client.post(reverse("orgs:aliases"), {"alias": "国网湘乡市供电公司", "new_name": "国网湘乡市供电公司",
                                          "new_kind": "other"})
    client.post(reverse("core:import_job", args=[job.pk]), {"action": "confirm", "sheet": "0"})
    task = Task.objects.get(plan=plan)
    assert {link.unit.name: link.role for link in task.unit_links.all()} == {
        "国网湘乡市供电公司": UnitRole.LEAD, "市应急管理局": UnitRole.COOP}
    assert tasktable.IMPORTER.key == "task_table"
