"""Services of the enforcement module: 一单两库, the draw through the database, inspections, findings, numbers."""

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

from accounts.models import ScopeGrant
from enforcement import services
from enforcement.choices import AttemptOutcome, DrawStatus, FindingResult, InspectionOrigin, InspectionStatus
from enforcement.exports import draw_zip
from enforcement.models import DocumentCounter, DrawAttempt, Inspection
from enforcement.tests.factories import (
    OPERATOR_SECRET,
    WITNESS_SECRET,
    commit,
    execute,
    inspector_user,
    roster,
)
from hazards.choices import Source as HazardSource
from hazards.models import Hazard
from orgs.models import Unit
from tests.personas import World

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_check_items_are_kept_by_a_department_and_seen_by_it_and_the_office(world: World) -> None:
    item = services.matter_create(actor=world.user("regulator"), name="事故隐患排查治理情况", basis="《安全生产法》第四十一条",
                                subject="生产经营单位", category="key")
    from enforcement.models import InspectionMatter

    assert InspectionMatter.objects.visible_to(world.user("office")).filter(pk=item.pk).exists()
    assert InspectionMatter.objects.visible_to(world.user("inspector")).filter(pk=item.pk).exists()
    assert not InspectionMatter.objects.visible_to(world.user("regulator_fire")).filter(pk=item.pk).exists()
    assert not InspectionMatter.objects.visible_to(world.user("enterprise_a")).exists()
    with pytest.raises(PermissionDenied):
        services.matter_create(actor=world.user("enterprise_a"), name="x", basis="y", subject="z")
    with pytest.raises(ValidationError) as exc:
        services.matter_create(actor=world.user("regulator"), name="无依据事项", basis=" ", subject="企业")
    assert "basis" in exc.value.message_dict


def test_draw_through_the_service_is_reproduced_by_the_script_from_the_export(world: World, tmp_path: Path) -> None:
    roster(world, 4)
    draw = commit(world)
    assert draw.status == DrawStatus.COMMITTED and len(draw.commitment) == 64
    assert draw.population_size == 4  # 应急 regulates D1/D12…: ent_a1, ent_b1, ent_b2, ent_park
    draw = execute(world, draw)
    assert draw.status == DrawStatus.DRAWN
    assert len(draw.result["targets"]) == 2 and not draw.result["shortfall"]
    assert all(len(t["inspectors"]) == 2 for t in draw.result["targets"])
    assert Inspection.objects.filter(draw=draw, origin=InspectionOrigin.DRAW).count() == 2
    assert DrawAttempt.objects.filter(draw=draw, outcome=AttemptOutcome.DRAWN).count() == 1
    data = draw_zip(draw)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
        assert (tmp_path / "draw.py").read_bytes() == (ROOT / "enforcement" / "draw.py").read_bytes()
    run = subprocess.run([sys.executable, "-I", str(tmp_path / "verify_draw.py"), str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert result == draw.result


def test_every_attempt_is_recorded_and_a_draw_is_never_run_twice(world: World) -> None:
    roster(world, 3)
    draw = commit(world)
    with pytest.raises(ValidationError):
        services.draw_execute(actor=world.user("regulator"), draw=draw, public_value="1", operator_secret="wrong-guess",
                              witness_secret=WITNESS_SECRET)
    with pytest.raises(PermissionDenied):
        services.draw_execute(actor=world.user("inspector"), draw=draw, public_value="1",
                              operator_secret=OPERATOR_SECRET, witness_secret=WITNESS_SECRET)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTED and not draw.seed
    assert list(draw.attempts.values_list("outcome", flat=True)) == [AttemptOutcome.REFUSED] * 2
    execute(world, draw)
    with pytest.raises(ValidationError):
        execute(world, draw, public_value="another value")
    assert draw.attempts.count() == 4
    assert draw.attempts.filter(outcome=AttemptOutcome.DRAWN).count() == 1
    void = services.draw_void(actor=world.user("regulator"), draw=draw, note="参数有误，重新抽取")
    assert void.status == DrawStatus.VOID


def test_joint_draw_grants_the_other_departments_inspector_for_the_assignment(world: World) -> None:
    roster(world, 2)
    fire_user = inspector_user("fire_inspector", "市消防救援大队")
    fire = Unit.objects.get(name="市消防救援大队")
    from enforcement.models import Inspector

    fire_inspector = Inspector(department=fire, name="消防检查员", cert_number="消防-1", user=fire_user,
                               cert_valid_until=dt.date.today() + dt.timedelta(days=30))
    fire_inspector.copy_scope_keys()
    fire_inspector.save()
    draw = execute(world, commit(world, strata="all=1", joint_departments=[fire]))
    target = draw.result["targets"][0]
    assert f"i{fire_inspector.pk}" in target["inspectors"] and len(target["inspectors"]) == 3
    enterprise_id = int(target["id"][1:])
    grant = ScopeGrant.objects.get(user=fire_user, object_id=enterprise_id)
    assert grant.valid_until.date() == draw.assignment_until
    from enterprises.models import Enterprise

    fire_user = inspector_user("fire_inspector", "市消防救援大队")
    assert Enterprise.objects.visible_to(fire_user).filter(pk=enterprise_id).exists()
    assert Inspection.objects.visible_to(fire_user).filter(draw=draw).exists()
    services.draw_void(actor=world.user("regulator"), draw=draw, note="抽查对象有误")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    fire_user = inspector_user("fire_inspector", "市消防救援大队")
    assert not Enterprise.objects.visible_to(fire_user).filter(pk=enterprise_id).exists()


def test_declared_conflicts_are_respected_by_the_draw(world: World) -> None:
    inspectors = roster(world, 3)
    ent = world.enterprises["ent_a1"]
    services.conflict_declare(actor=world.user("inspector"), inspector=inspectors[0], enterprise=ent,
                              note="配偶在该企业任职")
    draw = execute(world, commit(world, strata="all=4"))
    for target in draw.result["targets"]:
        if target["id"] == f"e{ent.pk}":
            assert f"i{inspectors[0].pk}" not in target["inspectors"]


def _onsite(world: World) -> Inspection:
    inspectors = roster(world, 2)
    inspection = services.inspection_create(actor=world.user("regulator"), origin=InspectionOrigin.COMPLAINT,
                                            inspectors=inspectors, enterprise=world.enterprises["ent_a1"])
    with pytest.raises(ValidationError):
        services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="start",
                                       shown=[inspectors[0].pk])
    return services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="start",
                                          shown=[i.pk for i in inspectors])


def test_findings_become_government_hazards_and_documents_are_numbered_without_gaps(world: World) -> None:
    inspection = _onsite(world)
    assert len(inspection.certificates_shown) == 2
    finding = services.finding_add(actor=world.user("inspector"), inspection=inspection, text="配电箱未接地",
                                   basis="《工贸企业重大事故隐患判定标准》第四条", result=FindingResult.HAZARD,
                                   deadline=dt.date.today() + dt.timedelta(days=10))
    hazard = Hazard.objects.get(pk=finding.hazard_id)
    assert hazard.source == HazardSource.GOVERNMENT and hazard.criterion.startswith("《工贸")
    services.finding_add(actor=world.user("inspector"), inspection=inspection, text="安全培训记录齐全",
                         result=FindingResult.OK)
    with pytest.raises(ValidationError):
        services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="record",
                                       signer="", refused_to_sign=False, review_days=10)
    inspection = services.inspection_transition(actor=world.user("inspector"), inspection=inspection,
                                                action="record", refused_to_sign=True,
                                                refusal_note="主要负责人拒绝签字，由两名检查人员在场见证",
                                                review_days=10)
    assert inspection.status == InspectionStatus.RECORDED and inspection.review_due is not None
    first = services.document_issue(actor=world.user("inspector"), inspection=inspection, kind="enforcement_order")
    again = services.document_issue(actor=world.user("inspector"), inspection=inspection, kind="enforcement_order")
    record = services.document_issue(actor=world.user("inspector"), inspection=inspection, kind="enforcement_record")
    assert first.pk == again.pk
    year = dt.date.today().year
    assert first.number == f"湘乡应急责改〔{year}〕1号" and record.number == f"湘乡应急检记〔{year}〕1号"
    assert DocumentCounter.objects.get(kind="enforcement_order").last == 1
    with pytest.raises(ValidationError):  # the hazard is still open
        services.inspection_transition(actor=world.user("inspector"), inspection=inspection, action="close",
                                       review_note="已整改")
    with pytest.raises(PermissionDenied):
        services.document_issue(actor=world.user("regulator_fire"), inspection=inspection, kind="enforcement_record")
