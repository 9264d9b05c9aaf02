"""Penalty cases: the workflow to a decision, the credit record, the 第一百一十三条 closure flag, publication within 7
working days and its withdrawal, the numbered 告知书/决定书, the public page and the figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document

from credit.models import CreditEvent
from enforcement import services
from enforcement.choices import CaseStatus, PenaltyType
from enforcement.models import Case
from notifications.models import Notification
from tests.personas import World
from workdays.services import add_workdays

pytestmark = pytest.mark.django_db


def _decided(world: World, enterprise_key: str = "ent_a1", fine: str = "30000") -> Case:
    regulator = world.user("regulator")
    case = services.case_open(actor=regulator, enterprise=world.enterprises[enterprise_key], cause="未采取措施消除事故隐患")
    assert case.decision_due == case.opened_on + dt.timedelta(days=90)
    case = services.case_transition(actor=regulator, case=case, action="investigate")
    with pytest.raises(ValidationError):
        services.case_transition(actor=regulator, case=case, action="notify", facts="事实", basis="依据",
                                 penalty_types=[PenaltyType.FINE])  # a fine without an amount
    case = services.case_transition(actor=regulator, case=case, action="notify", facts="经查未消除隐患",
                                    basis="《安全生产法》第一百零二条", penalty_types=[PenaltyType.FINE],
                                    fine_amount=fine)
    case = services.case_transition(actor=regulator, case=case, action="hear", statement="当事人放弃陈述申辩")
    return services.case_transition(actor=regulator, case=case, action="decide", penalty_types=[PenaltyType.FINE],
                                    fine_amount=fine)


def test_a_decision_writes_the_credit_record_and_its_publication_deadline(world: World, client: Client) -> None:
    case = _decided(world)
    assert case.status == CaseStatus.DECIDED and case.fine_amount == Decimal("30000.00")
    assert case.publish_due == add_workdays(case.decided_on, 7)
    record = CreditEvent.objects.get(source_type="enforcement.case", source_id=case.pk)
    assert "罚款30000.00元" in record.grounds and record.amount == Decimal("30000.00") and record.points < 0
    assert {d.kind for d in case.documents.all()} == {"enforcement_penalty_notice", "enforcement_penalty_decision"}
    with pytest.raises(PermissionDenied):
        services.case_publish(actor=world.user("office"), case=case)
    services.case_publish(actor=world.user("regulator"), case=case)
    public = Client().get(reverse("enforcement:public")).content.decode()
    assert "未采取措施消除事故隐患" in public and "罚款30000.00元" in public
    client.force_login(world.users["regulator"])
    response = client.get(reverse("enforcement:case_document", args=[case.pk, "enforcement_penalty_decision"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "行政处罚决定书" in text and "第一百零二条" in text and f"罚决〔{dt.date.today().year}〕1号" in text
    services.case_withdraw(actor=world.user("regulator"), case=case, reason="复议决定撤销")
    assert "未采取措施消除事故隐患" not in Client().get(reverse("enforcement:public")).content.decode()
    assert CreditEvent.objects.get(source_type="enforcement.case", source_id=case.pk).revoked_at is not None
    client.force_login(world.users["township_b"])
    assert client.get(reverse("enforcement:case", args=[case.pk])).status_code == 404


def test_closure_trigger_flags_the_department_after_three_penalties_with_a_major_hazard(world: World) -> None:
    from hazards import services as hazard_services
    from hazards.choices import Source

    hazard_services.hazard_register(actor=world.user("regulator"), enterprise=world.enterprises["ent_a1"],
                                    description="重大隐患", source=Source.GOVERNMENT, grade="major",
                                    report_cause="防爆设施缺失", report_analysis="危害大，整改难度较大")
    first, second = _decided(world), _decided(world)
    assert not first.closure_flagged and not second.closure_flagged
    third = _decided(world)
    third.refresh_from_db()
    assert third.closure_flagged
    assert Notification.objects.filter(title__contains="提请关闭").exists()


def test_figures_count_inspections_and_penalties_in_scope(world: World, client: Client) -> None:
    _decided(world)
    client.force_login(world.users["regulator"])
    page = client.get(reverse("enforcement:figures")).content.decode()
    assert "市应急管理局" in page and "30000.00" in page
    client.force_login(world.users["regulator_fire"])
    assert "30000.00" not in client.get(reverse("enforcement:figures")).content.decode()


def test_figures_show_the_unannounced_share_and_hazards_per_inspection(world: World, client: Client) -> None:
    from enforcement.choices import FindingResult, InspectionOrigin
    from enforcement.tests.factories import roster

    team = roster(world, 2)
    regulator = world.user("regulator")
    for unannounced in (True, False):
        inspection = services.inspection_create(actor=regulator, origin=InspectionOrigin.SPECIAL, inspectors=team,
                                                enterprise=world.enterprises["ent_b2"], unannounced=unannounced)
        inspection = services.inspection_transition(actor=regulator, inspection=inspection, action="start",
                                                    shown=[t.pk for t in team])
        services.finding_add(actor=regulator, inspection=inspection, text="静电接地失效", basis="第四条",
                             result=FindingResult.HAZARD, deadline=dt.date.today() + dt.timedelta(days=5))
    client.force_login(world.users["regulator"])
    page = client.get(reverse("enforcement:figures")).content.decode()
    row = page[page.index("figures-departments"):]
    row = row[row.index("市应急管理局"):row.index("</tr>", row.index("市应急管理局"))]
    assert ">2</a>" in row and "<td>1.0</td>" in row and "<td>50.0%</td>" in row
