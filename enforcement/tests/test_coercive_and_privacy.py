"""强制措施决定书 (numbered like the other 执法文书, opened with python-docx), and what the public draw package and
page say about targets named after people (premises, 个体工商户)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document

from checks import services as checks_services
from enforcement import services
from enforcement.choices import CoerciveMeasure, InspectionOrigin
from enforcement.models import DocumentCounter, EnforcementDocument
from enforcement.tests.factories import commit, execute, roster
from enforcement.tests.test_checklists import onsite
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.models import Domain, Jurisdiction
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_coercive_measure_decision_is_numbered_and_rendered(client: Client, world: World) -> None:
    inspection = onsite(world)
    with pytest.raises(ValidationError) as exc:
        services.coercive_measure_issue(actor=world.user("inspector"), inspection=inspection, measure="seal",
                                        reason="喷涂车间防爆电气缺失", days=45)
    assert "days" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.coercive_measure_issue(actor=world.user("regulator_fire"), inspection=inspection, measure="seal",
                                        reason="x", days=10)
    with pytest.raises(ValidationError):  # issued only with the measure and its reasons, never by a bare download
        services.document_issue(actor=world.user("inspector"), inspection=inspection, kind="enforcement_coercive")
    client.force_login(world.users["inspector"])
    response = client.post(reverse("enforcement:coercive_issue", args=[inspection.pk]), {
        "measure": CoerciveMeasure.SEAL, "reason": "喷涂车间未按规定设置防爆电气设备，存在重大事故隐患", "days": 30,
        "place": "喷涂车间"})
    assert response.status_code == 302
    document = EnforcementDocument.objects.get(inspection=inspection, kind="enforcement_coercive")
    year = dt.date.today().year
    assert document.number == f"湘乡应急强措〔{year}〕1号"
    assert DocumentCounter.objects.get(kind="enforcement_coercive").last == 1
    with pytest.raises(ValidationError):  # once per inspection
        services.coercive_measure_issue(actor=world.user("inspector"), inspection=inspection, measure="seize",
                                        reason="再次", days=5)
    page = client.get(reverse("enforcement:inspection", args=[inspection.pk])).content.decode()
    assert 'data-testid="doc-enforcement_coercive"' in page and 'data-testid="coercive-form"' not in page
    docx = client.get(reverse("enforcement:document", args=[inspection.pk, "enforcement_coercive"]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "强制措施决定书" in text and document.number in text
    assert "第六十五条第一款第（四）项" in text and "期限30日" in text and "喷涂车间" in text
    client.force_login(world.users["regulator_fire"])
    assert client.get(reverse("enforcement:document", args=[inspection.pk, "enforcement_coercive"])).status_code == 404


def test_public_draw_package_carries_no_personal_names_and_still_verifies(client: Client, world: World,
                                                                        tmp_path: Path) -> None:
    regulator = world.user("regulator")
    roster(world, 4)
    place = Jurisdiction.objects.get(name="山枣镇")
    checks_services.premises_create(actor=regulator, name="王建国家庭烟花爆竹零售点", address="山枣镇集镇", jurisdiction=place,
                             domain=Domain.objects.get(code="D1"))
    individual = Enterprise.objects.create(name="湘乡市李秀英五金店", credit_code=make_credit_code("92430381MA4L00012"),
                                           jurisdiction=place, jurisdiction_path=place.path)
    EnterpriseDomain.objects.create(enterprise=individual, domain=Domain.objects.get(code="D1"))
    draw = execute(world, commit(world, strata="all=6"))
    population = {row["id"]: row for row in services.unpack(draw.population_gz)}
    names = [row["name"] for row in population.values()]
    assert not any("王建国" in n or "李秀英" in n for n in names)
    assert population[f"e{individual.pk}"]["name"] == services.mask_name(individual.name)
    assert population[f"e{world.enterprises['ent_a1'].pk}"]["name"] == world.enterprises["ent_a1"].name
    response = client.get(reverse("enforcement:public_draw_package", args=[draw.pk]))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "王建国".encode() not in archive.read("population.json")
        assert "李秀英".encode() not in archive.read("population.json")
        archive.extractall(tmp_path)
    run = subprocess.run([sys.executable, "-I", str(tmp_path / "verify_draw.py"), str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8")) == draw.result
    page = client.get(reverse("enforcement:public_draw", args=[draw.pk])).content.decode()
    assert "王建国" not in page and "李秀英" not in page


def test_public_page_masks_premises_inspected(client: Client, world: World) -> None:
    regulator = world.user("regulator")
    inspectors = roster(world, 2)
    premises = checks_services.premises_create(actor=regulator, name="赵大海个体加油点", address="山枣镇集镇",
                                               jurisdiction=Jurisdiction.objects.get(
        name="山枣镇"), domain=Domain.objects.get(code="D1"))
    inspection = services.inspection_create(actor=regulator, origin=InspectionOrigin.COMPLAINT,
                                            inspectors=inspectors, premises=premises)
    services.inspection_transition(actor=regulator, inspection=inspection, action="start",
                                   shown=[i.pk for i in inspectors])
    services.inspection_transition(actor=regulator, inspection=inspection, action="record", signer="经营者")
    page = client.get(reverse("enforcement:public")).content.decode()
    assert "赵大海" not in page and services.mask_name(premises.name) in page
