"""Accident writes. Each is keyword-only, atomic and audited; the state changes only in ``accident_transition``
(through ``core.workflow.transition``); the grade is never written by hand: ``grading.grade_for`` computes it from
the casualties and the loss every time they change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accidents import workflow
from accidents.choices import AccidentType, AttachmentRole, PartyKind, Status
from accidents.grading import REVISION_SOURCE, grade_for
from accidents.models import Accident, AccidentEvent, AccidentRevision, Bulletin, ResponsibilityFinding
from accounts.choices import Role
from core import audit
from core.formats import cn_date
from core.uploads import attach
from core.workflow import Step, transition
from orgs.models import Domain, Jurisdiction

AUDITED = ["number", "occurred_at", "accident_type", "road_traffic", "enterprise", "jurisdiction", "domain", "address",
           "deaths", "serious_injuries", "injuries", "direct_loss", "grade", "summary", "business_premises",
           "notable", "typical", "status", "cause", "approved_on", "evaluation_due", "evaluation", "evaluated_on"]
EDITABLE = ["address", "summary", "business_premises", "notable", "typical"]
CASUALTIES = ["deaths", "serious_injuries", "injuries"]
MAX_PEOPLE = 100_000
MAX_LOSS = Decimal("9999999999.99")  # 万元: what the column holds
EARLIEST = dt.date(1949, 10, 1)


def _require_registrar(actor: Any) -> None:
    if actor is None or not actor.has_role(*workflow.REGISTRARS):
        raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以登记和补报事故。"))


def _visible(actor: Any, accident: Accident) -> bool:
    return Accident.objects.visible_to(actor, grants=False).filter(pk=accident.pk).exists()


def _count(value: Any, field: str, errors: dict[str, str]) -> int:
    try:
        number = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError):
        errors[field] = _("请填写非负整数。")
        return 0
    if isinstance(value, float) and not value.is_integer():
        errors[field] = _("请填写非负整数。")
    if not 0 <= number <= MAX_PEOPLE:
        errors[field] = _("人数应在0至%(n)d之间。") % {"n": MAX_PEOPLE}
    return number


def _loss(value: Any, errors: dict[str, str]) -> Decimal:
    try:
        loss = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        errors["direct_loss"] = _("直接经济损失应为数字（万元）。")
        return Decimal(0)
    if not loss.is_finite() or not Decimal(0) <= loss <= MAX_LOSS:
        errors["direct_loss"] = _("直接经济损失应为0至%(n)s万元之间的数字。") % {"n": MAX_LOSS}
        return Decimal(0)
    return loss.quantize(Decimal("0.01"))


def _event(accident: Accident, action: str, label: str, actor: Any, note: str = "", frm: str = "",
           to: str = "") -> None:
    AccidentEvent.objects.create(accident=accident, action=action, label=label[:40], actor=actor, note=note,
                                 from_status=frm, to_status=to)


@transaction.atomic
def accident_register(
    *,
    actor: Any,
    occurred_at: dt.datetime,
    accident_type: str,
    summary: str,
    address: str = "",
    enterprise: Any = None,
    jurisdiction: Jurisdiction | None = None,
    domain: Domain | None = None,
    deaths: Any = 0,
    serious_injuries: Any = 0,
    injuries: Any = 0,
    direct_loss: Any = 0,
    road_traffic: bool = False,
    business_premises: bool = True,
    notable: bool = False,
    typical: bool = False,
    imported: bool = False,
) -> Accident:
    """登记: record an accident; its grade is computed (条例第三条)."""
    _require_registrar(actor)
    errors: dict[str, str] = {}
    summary = (summary or "").strip()
    address = (address or "").strip()
    if not summary:
        errors["summary"] = _("请填写事故简要经过。")
    if accident_type not in AccidentType.values:
        errors["accident_type"] = _("请选择事故类别（GB 6441-1986）。")
    if not isinstance(occurred_at, dt.datetime):
        errors["occurred_at"] = _("请填写事故发生时间。")
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("发生时间不能晚于现在。")
    elif timezone.localdate(occurred_at) < EARLIEST:
        errors["occurred_at"] = _("发生时间无效。")
    counts = {name: _count(value, name, errors) for name, value in
              (("deaths", deaths), ("serious_injuries", serious_injuries), ("injuries", injuries))}
    loss = _loss(direct_loss, errors)
    if enterprise is not None:
        domains = list(enterprise.domains.all())
        if domain is None and domains:
            domain = domains[0]
        elif domain is not None and domains and domain not in domains:
            errors["domain"] = _("所选行业领域不属于该企业（企业行业领域：%(d)s）。") % {
                "d": "、".join(str(d) for d in domains)}
        jurisdiction = enterprise.jurisdiction
        address = address or enterprise.address or enterprise.name
    else:
        if jurisdiction is None:
            errors["jurisdiction"] = _("没有事故单位的事故须选择属地。")
        if not address:
            errors["address"] = _("没有事故单位的事故须填写事故地点。")
    if domain is None:
        errors.setdefault("domain", _("请选择行业领域。"))
    if len(address) > 255:
        errors["address"] = _("事故地点不能超过255个字。")
    if errors:
        raise ValidationError(errors)
    accident = Accident(
        occurred_at=occurred_at, accident_type=accident_type, road_traffic=bool(road_traffic), enterprise=enterprise,
        jurisdiction=jurisdiction, jurisdiction_path=jurisdiction.path, domain=domain, address=address,
        direct_loss=loss, grade=grade_for(counts["deaths"], counts["serious_injuries"], loss), summary=summary,
        business_premises=bool(business_premises), notable=bool(notable), typical=bool(typical),
        imported=imported, created_by=actor, **counts)
    accident.save()
    accident.number = f"SG{timezone.localdate(occurred_at):%Y}{accident.pk:08d}"
    accident.save(update_fields=["number"])
    if not _visible(actor, accident):
        # Re-check after the write: nobody records an accident outside their own reach.
        raise PermissionDenied(_("该事故不在您的管辖范围内（属地或行业）。"))
    _event(accident, "register", str(_("登记")), actor, summary[:500], to=Status.REGISTERED)
    audit.record(action="accidents.register", obj=accident, changes=audit.diff({}, audit.snapshot(accident, AUDITED)))
    return accident


def _locked(accident: Accident) -> Accident:
    return Accident.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=accident.pk)


@transaction.atomic
def accident_update(*, actor: Any, accident: Accident, **values: Any) -> Accident:
    """Correct the description (place, summary, fire-warning facts, typical case); never casualties or grade."""
    _require_registrar(actor)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    accident = _locked(accident)
    if not _visible(actor, accident):
        raise PermissionDenied(_("该事故不在您的管辖范围内。"))
    before = audit.snapshot(accident, AUDITED)
    for name, value in values.items():
        setattr(accident, name, value.strip() if isinstance(value, str) else bool(value))
    if not accident.summary:
        raise ValidationError({"summary": _("请填写事故简要经过。")})
    if not accident.address:
        raise ValidationError({"address": _("请填写事故地点。")})
    accident.save()
    audit.record(action="accidents.update", obj=accident, changes=audit.diff(before, audit.snapshot(accident, AUDITED)))
    return accident


@transaction.atomic
def accident_revise(*, actor: Any, accident: Accident, deaths: Any, serious_injuries: Any, injuries: Any,
                    note: str = "", today: dt.date | None = None) -> AccidentRevision:
    """补报: a change of casualties within the window of 条例第十三条 (30 days; 7 for road traffic and fire accidents),
    kept as a revision; the accident is re-graded."""
    _require_registrar(actor)
    accident = _locked(accident)
    if not _visible(actor, accident):
        raise PermissionDenied(_("该事故不在您的管辖范围内。"))
    today = today or timezone.localdate()
    if not accident.revisable(today):
        raise ValidationError(_("已超过补报期限（%(d)s）：自事故发生之日起%(n)s日内伤亡人数发生变化的才可补报（%(s)s）。") % {
            "d": cn_date(accident.revision_last_day()), "n": 7 if accident.road_traffic or accident.is_fire else 30,
            "s": REVISION_SOURCE})
    errors: dict[str, str] = {}
    after = {name: _count(value, name, errors) for name, value in
             (("deaths", deaths), ("serious_injuries", serious_injuries), ("injuries", injuries))}
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(accident, name) for name in CASUALTIES}
    if after == before:
        raise ValidationError(_("伤亡人数没有变化，无需补报。"))
    grade_before = accident.grade
    snapshot = audit.snapshot(accident, AUDITED)
    for name, value in after.items():
        setattr(accident, name, value)
    accident.grade = grade_for(accident.deaths, accident.serious_injuries, accident.direct_loss)
    accident.save()
    revision = AccidentRevision.objects.create(accident=accident, actor=actor, before=before, after=after,
                                               grade_before=grade_before, grade_after=accident.grade,
                                               note=(note or "").strip()[:500])
    _event(accident, "revise", str(_("伤亡人数补报")), actor, (note or "").strip()[:500])
    audit.record(action="accidents.revise", obj=accident,
                 changes=audit.diff(snapshot, audit.snapshot(accident, AUDITED)), note=note or "")
    return revision


@transaction.atomic
def accident_attach(*, actor: Any, accident: Accident, file: UploadedFile, role: str) -> Any:
    """The investigation report or the 整改评估 report (checked by content and size)."""
    if actor is None or not actor.has_role(*workflow.INVESTIGATORS):
        raise PermissionDenied(_("只有安委办或行业监管部门可以上传调查材料。"))
    if role not in AttachmentRole.values:
        raise ValidationError(_("附件类别无效。"))
    if not _visible(actor, accident):
        raise PermissionDenied(_("该事故不在您的管辖范围内。"))
    return attach(actor=actor, owner=accident, file=file, role=role, kinds=("document", "image"))


@transaction.atomic
def finding_add(*, actor: Any, accident: Accident, kind: str, name: str, responsibility: str, position: str = "",
                handling: str = "") -> ResponsibilityFinding:
    """责任认定: a person or unit the investigation holds responsible."""
    if actor is None or not actor.has_role(*workflow.INVESTIGATORS):
        raise PermissionDenied(_("只有安委办或行业监管部门可以记录责任认定。"))
    accident = _locked(accident)
    if not _visible(actor, accident):
        raise PermissionDenied(_("该事故不在您的管辖范围内。"))
    if accident.status not in (Status.INVESTIGATING, Status.REPORTED):
        raise ValidationError(_("只有调查中的事故可以记录责任认定。"))
    errors = {}
    if kind not in PartyKind.values:
        errors["kind"] = _("请选择个人或单位。")
    if not (name or "").strip():
        errors["name"] = _("请填写责任人或责任单位。")
    if not (responsibility or "").strip():
        errors["responsibility"] = _("请写明责任认定。")
    if errors:
        raise ValidationError(errors)
    finding = ResponsibilityFinding.objects.create(
        accident=accident, kind=kind, name=name.strip()[:120], position=(position or "").strip()[:120],
        responsibility=responsibility.strip(), handling=(handling or "").strip())
    audit.record(action="accidents.finding_add", obj=accident,
                 changes={"party": [None, finding.name], "kind": [None, kind]})
    return finding


# -- the workflow ------------------------------------------------------------------------------------------

def _check_visible(actor: Any, accident: Accident) -> None:
    if not _visible(actor, accident):
        raise PermissionDenied(_("该事故不在您的管辖范围内。"))


def _apply(step: Step) -> dict[str, Any]:
    accident: Accident = step.obj
    data = step.data
    if step.action == "report":
        accident.cause = str(data.get("cause") or "").strip()
        if data.get("direct_loss") not in (None, ""):
            errors: dict[str, str] = {}
            accident.direct_loss = _loss(data["direct_loss"], errors)
            if errors:
                raise ValidationError(errors)
        accident.grade = grade_for(accident.deaths, accident.serious_injuries, accident.direct_loss)
    elif step.action == "close":
        approved: dt.date = data["approved_on"]
        accident.approved_on = approved
        try:
            accident.evaluation_due = approved.replace(year=approved.year + 1)
        except ValueError:  # 29 February
            accident.evaluation_due = approved.replace(year=approved.year + 1, day=28)
    elif step.action == "evaluate":
        accident.evaluation = str(data["evaluation"]).strip()
        accident.evaluated_on = timezone.localdate(step.now)
    return {}


def _record(step: Step) -> None:
    _event(step.obj, step.action, str(step.move.label), step.actor, step.note, frm=step.source or "", to=step.target)


def accident_transition(*, actor: Any, accident: Accident, action: str, note: str = "", **data: Any) -> Accident:
    return transition(workflow=workflow.ACCIDENT_TRANSITIONS, obj=accident, actor=actor, action=action, note=note,
                      data=data, check=_check_visible, apply=_apply, event=_record,
                      audit_fields=["status", "grade", "direct_loss", "cause", "approved_on", "evaluation_due",
                                    "evaluated_on"])


# -- the monthly bulletin ----------------------------------------------------------------------------------

@transaction.atomic
def bulletin_save(*, actor: Any, month: dt.date, tasks: str) -> Bulletin:
    """The office's text for one month's 事故警示通报 (下月工作任务), kept per unit and month."""
    if actor is None or not actor.has_role(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP) or not actor.unit_id:
        raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以编写事故警示通报。"))
    if len(tasks or "") > 20000:
        raise ValidationError({"tasks": _("下月工作任务不能超过20000个字。")})
    month = month.replace(day=1)
    bulletin, _created = Bulletin.objects.select_for_update().get_or_create(unit_id=actor.unit_id, month=month)
    before = bulletin.tasks
    bulletin.tasks = (tasks or "").strip()
    bulletin.updated_by = actor
    bulletin.save()
    audit.record(action="accidents.bulletin_save", obj=bulletin, changes={"tasks": [before, bulletin.tasks]})
    return bulletin
