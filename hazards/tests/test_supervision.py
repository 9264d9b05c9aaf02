from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from hazards import services
from hazards.choices import Grade, Status, SupervisionLevel
from hazards.loaders import load_supervision_templates
from hazards.models import Supervision, SupervisionCircular, SupervisionTemplate
from hazards.supervision import circular_issue, supervision_list, supervision_record
from hazards.tests.factories import drive_to, enterprise_hazard
from orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates(world):
    load_supervision_templates()
    return SupervisionTemplate.objects.all()


def _list(world, hazard, **kw):
    values = {"level": SupervisionLevel.COUNTY, "supervising_unit": Unit.objects.get(name="市应急管理局"),
              "deadline": timezone.localdate() + dt.timedelta(days=30)}
    values.update(kw)
    return supervision_list(actor=world.user("regulator"), hazard=hazard, **values)


def test_loader_is_idempotent_and_hunan_is_default(templates):
    assert templates.get(is_default=True).code == "hunan-4"
    assert list(templates.get(code="hunan-4").steps.values_list("kind", flat=True)) == [
        "assign", "ledger", "close", "circular"]
    assert list(templates.get(code="xiangxiang-5").steps.values_list("kind", flat=True))[-1] == "clear"
    count = SupervisionTemplate.objects.count()
    load_supervision_templates()
    assert SupervisionTemplate.objects.count() == count


def test_listing_records_assign_sheet_and_ledger_and_close_removes_it(world, templates):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    with pytest.raises(PermissionDenied):
        supervision_list(actor=world.user("enterprise_a"), hazard=hazard, level="county",
                         supervising_unit=Unit.objects.get(name="市应急管理局"),
                         deadline=timezone.localdate() + dt.timedelta(days=3))
    supervision = _list(world, hazard)
    assert list(supervision.records.values_list("kind", flat=True)) == ["assign", "ledger"]
    sheet = supervision.records.get(kind="assign").data
    assert sheet["responsible_unit"] == "东山测试钢铁有限公司" and sheet["supervising_unit"] == "市应急管理局"
    with pytest.raises(ValidationError):
        _list(world, hazard)  # already listed
    supervision_record(actor=world.user("regulator"), supervision=supervision, kind="supervise", note="现场督导")
    with pytest.raises(ValidationError):
        supervision_record(actor=world.user("regulator"), supervision=supervision, kind="patrol", note="x")
    hazard = drive_to(world, hazard, Status.APPLIED)
    reg = world.user("regulator")
    hazard = services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=reg)
    services.hazard_transition(hazard=hazard, to=Status.CLOSED, actor=reg)
    supervision.refresh_from_db()
    assert supervision.removed_at is not None
    assert supervision.records.filter(kind="close").exists()


def test_general_hazard_cannot_be_listed(world, templates):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    with pytest.raises(ValidationError):
        _list(world, hazard)


def test_circular_lists_overdue_every_half_month(world, templates):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    supervision = _list(world, hazard, deadline=timezone.localdate() + dt.timedelta(days=2))
    later = timezone.localdate() + dt.timedelta(days=10)
    circular = circular_issue(today=later)
    assert circular.overdue_count == 1 and circular.items[0]["days_overdue"] == 8
    assert supervision.records.filter(kind="circular").count() == 1
    assert circular_issue(today=later + dt.timedelta(days=5)) is None  # the period has not passed
    assert circular_issue(today=later + dt.timedelta(days=15)) is not None
    assert SupervisionCircular.objects.count() == 2


def test_supervision_pages_and_prints(world, templates):
    hazard = enterprise_hazard(world, grade=Grade.MAJOR)
    client = Client()
    client.force_login(world.users["regulator"])
    page = client.get(f"/hazards/{hazard.pk}/supervise/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {"level": "county", "supervising_unit": form.initial["supervising_unit"].pk,
            "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "template": form.fields["template"].initial.pk, "document_number": "", "requirements": ""}
    assert client.post(f"/hazards/{hazard.pk}/supervise/", data).status_code == 302
    supervision = Supervision.objects.get(hazard=hazard)
    for url in (f"/hazards/supervisions/{supervision.pk}/sheet/",
                f"/hazards/supervisions/{supervision.pk}/notice/listing/"):
        assert client.get(url).status_code == 200
    assert client.get(f"/hazards/supervisions/{supervision.pk}/notice/removal/").status_code == 404
    outsider = Client()
    outsider.force_login(world.users["township_b"])
    assert outsider.get(f"/hazards/supervisions/{supervision.pk}/sheet/").status_code == 404
    assert outsider.get(f"/hazards/{hazard.pk}/supervise/").status_code == 404


def test_the_migration_to_circular_renames_the_stored_step_kind_and_record_data(world, templates):
    import importlib

    from django.apps import apps as registry

    migration = importlib.import_module("hazards.migrations.0006_supervision_circular")
    supervision = _list(world, enterprise_hazard(world, grade=Grade.MAJOR))
    step = SupervisionTemplate.objects.get(code="hunan-4").steps.get(kind="circular")
    record = supervision.records.create(kind="circular", note="通报", data={"circular": 7, "p": "x"})
    type(step).objects.filter(pk=step.pk).update(kind="bulletin")  # as stored before the rename
    type(record).objects.filter(pk=record.pk).update(kind="bulletin", data={"bulletin": 7, "p": "x"})
    migration.forwards(registry, None)
    step.refresh_from_db()
    record.refresh_from_db()
    assert (step.kind, record.kind, record.data) == ("circular", "circular", {"circular": 7, "p": "x"})
    migration.backwards(registry, None)
    record.refresh_from_db()
    assert (record.kind, record.data) == ("bulletin", {"bulletin": 7, "p": "x"})
