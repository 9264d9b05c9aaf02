"""A living county for the demo (``manage.py load_demo``): a campaign running now with tasks in every state and
progress reports awaiting review, recent hazards, checks done and missed, inspections, tips, 督办事项 and the
escalation they lead to — all dated relative to the day the demo is loaded, all through the services, read from
``demo/data/living.json``. Idempotent: nothing is added once the demo campaign exists."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction, Unit

DATA = Path(__file__).resolve().parent / "data" / "living.json"
MARK = "【演示·近期】"

# What the loader counts, in the order it reports them.
LABELS = {
    "campaign": "实施中的专项整治行动", "tasks": "整治任务", "tasks_assigned": "已交办未报送",
    "tasks_due_soon": "即将到期", "tasks_overdue": "已超期", "tasks_reported": "已报送待审核",
    "tasks_returned": "已退回", "tasks_in_progress": "已采纳推进中", "tasks_adopted": "已采纳完成",
    "supervision_items": "督办事项", "hazards": "近期隐患", "checks_done": "已完成排查", "checks_missed": "逾期未检",
    "inspectors": "执法人员", "inspections": "执法检查", "tips": "群众举报", "escalations": "督办记录",
}


def photo(name: str) -> Any:
    """A small synthetic photo (the evidence a fix on the spot needs)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (46, 139, 87)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def read_data(path: Path = DATA) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _day(today: dt.date, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def load_living_demo(enterprises: list[Enterprise], *, data: dict[str, Any] | None = None,
                     today: dt.date | None = None) -> Counter[str] | None:
    """Load once; None when the demo campaign already exists (or the demo accounts are missing)."""
    from campaigns.models import Campaign

    data = data or read_data()
    if Campaign.objects.filter(source_key=data["campaign"]["source_key"]).exists():
        return None
    users = {u.username: u for u in User.objects.select_related("unit", "enterprise")}
    if "anweiban" not in users:
        return None
    today = today or timezone.localdate()
    counts: Counter[str] = Counter()
    with transaction.atomic():
        _campaign(data, users, today, counts)
        _supervision_items(data, users, today, counts)
        _hazards(data, users, enterprises, today, counts)
        _checks(data, users, enterprises, today, counts)
        _enforcement(data, users, enterprises, today, counts)
        _tips(data, today, counts)
    _sweep(today, counts)  # the ladder over what is now overdue: the board has decisions waiting
    return counts


def report_lines(counts: Counter[str] | None) -> list[str]:
    if counts is None:
        return ["演示动态数据已存在，跳过。"]
    return ["演示动态数据（日期相对于今天）：" + "，".join(f"{label} {counts[key]}" for key, label in LABELS.items())]


# -- the campaign ---------------------------------------------------------------------------------------------------
def _campaign(data: dict[str, Any], users: dict[str, User], today: dt.date, counts: Counter[str]) -> None:
    from campaigns import services
    from campaigns.choices import PlanKind, UnitRole
    from campaigns.lifecycle import campaign_transition
    from campaigns.units import Assignment
    from campaigns.workflow import report_review, report_submit

    spec = data["campaign"]
    office = users["anweiban"]
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    campaign = services.campaign_create(
        actor=office, source_key=spec["source_key"], name=spec["name"], short_name=spec["short_name"],
        document_number=spec["document_number"], issuer=spec["issuer"], issued_on=_day(today, spec["start_days"] - 3),
        starts_on=_day(today, spec["start_days"]), ends_on=_day(today, spec["end_days"]),
        office_unit=Unit.objects.get(name=spec["office"]), jurisdiction=root)
    for i, phase in enumerate(spec["phases"], start=1):
        services.phase_save(actor=office, campaign=campaign, name=phase["name"], kind=phase["kind"],
                            starts_on=_day(today, phase["start_days"]), ends_on=_day(today, phase["end_days"]), sort=i)
    campaign_transition(actor=office, campaign=campaign, action="start")
    counts["campaign"] += 1
    domains = {d.code: d for d in Domain.objects.all()}
    plans = {}
    for i, p in enumerate(spec["plans"]):
        plans[p["code"]] = services.plan_save(
            actor=office, campaign=campaign, kind=PlanKind(p["kind"]), code=p["code"], title=p["title"],
            short_name=p["short_name"], domain=domains.get(p["domain"]) if p["domain"] else None, sort=i)
    units = {u.name: u for u in Unit.objects.filter(name__in={n for t in data["tasks"] for n, _r in t["units"]})}
    reports = data["reports"]
    reporters = data["reporters"]
    for t in data["tasks"]:
        due = _day(today, t["due_days"])
        task = services.task_create(
            actor=office, plan=plans[t["plan"]], number=t["number"], title=t["title"],
            units=[Assignment(units[name], UnitRole(role), name) for name, role in t["units"]],
            **services.deadline_values(_cn(due), default_year=due.year))
        counts["tasks"] += 1
        state = t["state"]
        counts[f"tasks_{state}"] += 1
        if state not in reports:
            continue
        r = reports[state]
        lead = next(name for name, role in t["units"] if role == "lead")
        reporter = users[reporters[lead]]
        report = report_submit(actor=reporter, task=task, reported_status=r["status"], narrative=r["narrative"],
                               percent=r["percent"], today=today, unit_id=units[lead].pk)
        if state in ("adopted", "in_progress"):
            report_review(actor=office, report=report, action="accept", comment=r.get("comment", ""))
        elif state == "returned":
            report_review(actor=office, report=report, action="return", comment=r["comment"])


def _supervision_items(data: dict[str, Any], users: dict[str, User], today: dt.date, counts: Counter[str]) -> None:
    from escalation import supervision

    for item in data["supervision_items"]:
        supervision.item_assign(actor=users["anweiban"], title=item["title"],
                                assignee=Unit.objects.get(name=item["assignee"]),
                                deadline=_day(today, item["due_days"]), description="（演示）",
                                today=_day(today, item["start_days"]))
        counts["supervision_items"] += 1


# -- hazards --------------------------------------------------------------------------------------------------------
def _hazards(data: dict[str, Any], users: dict[str, User], enterprises: list[Enterprise], today: dt.date,
             counts: Counter[str]) -> None:
    from hazards import services
    from hazards.choices import Source, Status

    now = timezone.now()
    for h in data["hazards"]:
        actor = users[h["reporter"]]
        found = _day(today, -h["days_ago"])
        extra = {"grade": h["grade"]} if h["grade"] else {}
        hazard = services.hazard_register(
            actor=actor, description=f"{MARK}{h['title']}", source=Source.SELF_CHECK, location="生产区",
            found_at=now - dt.timedelta(days=h["days_ago"]), today=found, **extra)
        if h["state"] in ("accepted", "overdue"):
            services.plan_save(actor=actor, hazard=hazard, today=found, responsible_person=actor.full_name,
                               responsible_phone="13807320000", measures="清理、修复并加强日常巡查", funds=2000,
                               deadline=_day(found, h["plan_days"]), interim_measures="设置警示标志",
                               acceptor="安全管理部")
            services.hazard_transition(hazard=hazard, to=Status.PLANNED, actor=actor)
            services.hazard_transition(hazard=hazard, to=Status.RECTIFYING, actor=actor)
        if h["state"] == "accepted":
            services.hazard_transition(hazard=hazard, to=Status.APPLIED, actor=actor, result="已整改完毕",
                                       rectified_on=_day(found, h["plan_days"] - 1))
            services.hazard_transition(hazard=hazard, to=Status.ACCEPTED, actor=actor)
        counts["hazards"] += 1


# -- checks: a week of daily checks, some done (one with an item fixed on the spot), some missed ----------------------
def _checks(data: dict[str, Any], users: dict[str, User], enterprises: list[Enterprise], today: dt.date,
            counts: Counter[str]) -> None:
    from checks import services
    from checks.choices import CheckerLevel, Disposal, Frequency, ItemType, Outcome
    from checks.models import DueCheck
    from checks.services import ResultInput

    spec = data["checks"]
    enterprise = enterprises[spec["enterprise"]]
    worker = users[spec["worker"]]
    office = users["anweiban"]
    checklist = services.checklist_publish(actor=office, title=spec["checklist"], version="演示",
                                           domains=list(enterprise.domains.all()))
    items = [services.item_save(actor=office, checklist=checklist, text=text, item_type=ItemType.YES_NO)
             for text in spec["items"]]
    start = _day(today, -spec["days"])
    plan = services.plan_create(actor=worker, checklist=checklist, frequency=Frequency.DAILY,
                                checker_level=CheckerLevel.TEAM, starts_on=start, enterprise=enterprise,
                                title=spec["title"], responsible=worker.full_name)
    for back in range(spec["days"], 0, -1):
        services.generate_due(today=_day(today, -back), days=1, plans=type(plan).objects.filter(pk=plan.pk))
    for due in DueCheck.objects.filter(plan=plan, due_on__lt=today).order_by("due_on"):
        back = (today - due.due_on).days
        if back in spec["missed"]:
            counts["checks_missed"] += 1
            continue
        results = []
        if back == spec["failed_item_on_day"]:
            results = [ResultInput(item=items[0].pk, outcome=Outcome.FAIL, disposal=Disposal.ON_SPOT,
                                   fix_action="当班清理通道杂物", note="通道堆放纸箱",
                                   fix_photos=[photo("after.png")])]
        performed = timezone.make_aware(dt.datetime.combine(due.due_on, dt.time(8, 30)))
        services.run_record(actor=worker, uuid=uuid.uuid4(), checklist=checklist, results=results,
                            enterprise=enterprise, plan=plan, due=due, performed_at=performed)
        counts["checks_done"] += 1


# -- enforcement: the department's inspectors and this month's inspections ------------------------------------------
def _enforcement(data: dict[str, Any], users: dict[str, User], enterprises: list[Enterprise], today: dt.date,
                 counts: Counter[str]) -> None:
    from enforcement import services

    heads = {u.unit.name: u for u in users.values() if u.unit_id and u.has_role("regulator")}
    inspectors: dict[str, list[Any]] = {}
    for spec in data["inspectors"]:
        head = heads[spec["department"]]
        inspectors.setdefault(spec["department"], []).append(services.inspector_create(
            actor=head, name=spec["name"], cert_number=spec["cert"], cert_valid_until=_day(today, 700),
            user=users.get(spec["user"]) if spec["user"] else None))
        counts["inspectors"] += 1
    for spec in data["inspections"]:
        services.inspection_create(actor=heads[spec["department"]], origin=spec["origin"],
                                   inspectors=inspectors[spec["department"]][:2],
                                   enterprise=enterprises[spec["enterprise"]],
                                   planned_date=_day(today, spec["planned_days"]))
        counts["inspections"] += 1


def _tips(data: dict[str, Any], today: dt.date, counts: Counter[str]) -> None:
    from tips import services

    for spec in data["tips"]:
        services.tip_submit(kind=spec["kind"], description=spec["description"],
                            jurisdiction=Jurisdiction.objects.get(name=spec["place"]), address=spec["address"],
                            subject=spec["subject"], now=timezone.now() - dt.timedelta(days=spec["days_ago"]))
        counts["tips"] += 1


def _sweep(today: dt.date, counts: Counter[str]) -> None:
    from escalation.models import EscalationLadder, EscalationRecord
    from escalation.services import sweep

    if not EscalationLadder.objects.exists():
        return
    before = EscalationRecord.objects.count()
    sweep(today=today)
    counts["escalations"] += EscalationRecord.objects.count() - before
