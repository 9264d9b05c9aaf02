"""Every write of the tips app: keyword-only, in one transaction with its change-log entry (core.audit)."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import re
import secrets
from collections.abc import Iterable
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.uploads import attach, check_upload, without_metadata
from core.workflow import Step, transition
from orgs.choices import JurisdictionLevel
from orgs.models import Jurisdiction
from tips import crypto, workflow
from tips.choices import ExposureKind, RewardGrade, TipKind, TipStatus
from tips.models import ExposureEntry, RewardBand, Tip, TipEvent, TipIdentity
from tips.notify import notify_move, notify_received
from workdays.services import add_workdays

# Deadlines in working days (workdays): 受理 (accept or forward) after receipt, 核查 after assignment, 答复 after
# verification. The law asks for verification and a written record (安全生产法第七十三条) without a number of
# days; these are the office's working defaults [S], not national figures.
ACCEPT_DAYS = 3
VERIFY_DAYS = 15
REPLY_DAYS = 5
# Reward bands used until the office sets its own (安全生产法第七十六条 sets the duty, not the amounts) [S].
DEFAULT_BANDS: dict[tuple[str, str], decimal.Decimal] = {
    (TipKind.HAZARD, RewardGrade.MAJOR): decimal.Decimal("3000"),
    (TipKind.ILLEGAL, RewardGrade.ANY): decimal.Decimal("2000"),
    (TipKind.HAZARD, RewardGrade.GENERAL): decimal.Decimal("200"),
}
TYPICAL_CASE_DAYS = 365  # a typical case stays on the 曝光台 one year unless the office sets an earlier date
TYPICAL_CASE_MAX_DAYS = 3 * 365
PLACE_LEVELS = (JurisdictionLevel.TOWNSHIP, JurisdictionLevel.SUBDISTRICT, JurisdictionLevel.PARK)
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")
AUDITED = ["code", "kind", "description", "jurisdiction", "enterprise", "subject", "address", "longitude", "latitude",
           "status"]


def clean_text(value: str, limit: int) -> str:
    """Plain text from the public: every tag stripped (nh3), control characters removed, length bounded."""
    text = nh3.clean(value or "", tags=set(), attributes={}, strip_comments=True)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    return text.strip()[:limit]


def new_code() -> str:
    """16 characters of base32 (80 random bits): not guessable within any rate limit."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def normal_code(value: str) -> str:
    return re.sub(r"[^A-Z2-7]", "", (value or "").upper())[:20]


def show_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def mask_personal(text: str, names: Iterable[str] = ()) -> str:
    """Mask what identifies a person in published text: phone numbers, ID numbers and the names given."""
    text = re.sub(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)", r"\1****\2", text or "")
    text = re.sub(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])", r"\1********\2", text)
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, name[0] + "某" * (len(name) - 1))
    return text


def _event(tip: Tip, *, action: str, label: str, frm: str = "", to: str = "", actor: Any = None,
           note: str = "") -> None:
    TipEvent.objects.create(tip=tip, action=action, label=label, from_status=frm, to_status=to,
                            actor=actor if getattr(actor, "pk", None) else None, note=note)


# -- the public page --------------------------------------------------------------------------------------------

@transaction.atomic
def tip_submit(*, kind: str, description: str, jurisdiction: Jurisdiction | None, address: str,
               enterprise: Any = None, subject: str = "", longitude: decimal.Decimal | None = None,
               latitude: decimal.Decimal | None = None, name: str = "", phone: str = "",
               photos: Iterable[UploadedFile] = (), now: dt.datetime | None = None) -> Tip:
    """A tip from anyone, without an account. Returns the tip; its ``code`` is what the reporter keeps."""
    errors: dict[str, str] = {}
    description = clean_text(description, 2000)
    address = clean_text(address, 200)
    subject = clean_text(subject, 200)
    name = clean_text(name, 40)
    phone = clean_text(phone, 20)
    photos = list(photos)
    if kind not in TipKind.values:
        errors["kind"] = _("请选择举报类别。")
    if len(description) < 10:
        errors["description"] = _("请具体描述举报内容（至少10个字）。")
    if jurisdiction is None or jurisdiction.level not in PLACE_LEVELS:
        errors["jurisdiction"] = _("请选择所在乡镇（街道、园区）。")
    if not address:
        errors["address"] = _("请填写具体地址。")
    if enterprise is not None and jurisdiction is not None and enterprise.jurisdiction_path[:len(jurisdiction.path)] \
            != jurisdiction.path:
        errors["enterprise"] = _("所选企业不在该乡镇（街道）。")
    if phone and not PHONE.match(phone):
        errors["phone"] = _("联系电话格式不正确。")
    if (longitude is None) != (latitude is None):
        errors["longitude"] = _("请同时填写经度和纬度，或都不填。")
    elif longitude is not None and not (73 <= longitude <= 136 and 3 <= latitude <= 54):
        errors["longitude"] = _("位置不在中国境内，请重新选择或不填。")
    if len(photos) > settings.ANZHI_TIPS_MAX_PHOTOS:
        errors["photos"] = _("最多上传%(n)d张照片。") % {"n": settings.ANZHI_TIPS_MAX_PHOTOS}
    else:
        cleaned = []
        for photo in photos:
            try:
                check_upload(photo, kinds=("image",), max_mb=settings.ANZHI_TIPS_PHOTO_MAX_MB)
                cleaned.append(without_metadata(photo))  # no GPS, device or owner left to trace the reporter
            except ValidationError as exc:
                errors["photos"] = "；".join(exc.messages)
                break
        photos = cleaned
    if errors:
        raise ValidationError(errors)
    assert jurisdiction is not None
    today = timezone.localdate(now or timezone.now())
    tip = Tip(code=new_code(), kind=kind, description=description, jurisdiction=jurisdiction,
              jurisdiction_path=jurisdiction.path, enterprise=enterprise, subject=subject, address=address,
              longitude=longitude, latitude=latitude, received_at=now or timezone.now(),
              accept_due=add_workdays(today, ACCEPT_DAYS))
    tip.save()
    if name or phone:
        TipIdentity.objects.create(tip=tip, name_sealed=crypto.seal(name), phone_sealed=crypto.seal(phone))
    _event(tip, action="submit", label=str(_("收到举报")), to=TipStatus.RECEIVED)
    # The change log keeps what was reported, never who: the identity is only said to exist.
    audit.record(action="tips.submit", obj=tip, changes={**audit.diff({}, audit.snapshot(tip, AUDITED)),
                                                         "identity": [None, bool(name or phone)]})
    for photo in photos:
        attach(actor=None, owner=tip, file=photo, role="tip", kinds=("image",))
    notify_received(tip)
    return tip


def tip_by_code(code: str) -> Tip | None:
    code = normal_code(code)
    if len(code) != 16:
        return None
    return Tip.objects.filter(code=code).first()


# -- handling ---------------------------------------------------------------------------------------------------

def _check(actor: Any, tip: Tip) -> None:
    if not Tip.objects.visible_to(actor).filter(pk=tip.pk).exists():
        raise PermissionDenied(_("该举报不在您的办理范围内。"))


def _apply(step: Step) -> dict[str, Any]:
    tip, data, today = step.obj, step.data, timezone.localdate(step.now)
    if step.action == "assign":
        tip.assigned_unit = data["assigned_unit"]
        tip.assigned_at = step.now
        tip.verify_due = add_workdays(today, VERIFY_DAYS)
        return {"unit": tip.assigned_unit.name}
    if step.action == "forward":
        tip.forwarded_to = clean_text(data["forwarded_to"], 200)
        return {"to": tip.forwarded_to}
    if step.action == "verify":
        tip.verification = clean_text(data["verification"], 5000)
        tip.confirmed = bool(data["confirmed"])
        tip.verified_at = step.now
        tip.reply_due = add_workdays(today, REPLY_DAYS)
    elif step.action == "reply":
        tip.reply = clean_text(data["reply"], 2000)
        tip.replied_at = step.now
    elif step.action == "propose":
        tip.reward_amount, tip.reward_basis = reward_for(tip)
        tip.reward_proposed_by = step.actor
        return {"amount": str(tip.reward_amount)}
    elif step.action == "approve":
        tip.reward_approved_by = step.actor
    elif step.action == "pay":
        tip.payout_ref = clean_text(data["payout_ref"], 120)
        tip.paid_at = step.now
    return {}


def _record_event(step: Step) -> None:
    note = step.note
    if step.kept:
        note = (note + " " + "；".join(f"{v}" for v in step.kept.values())).strip()
    _event(step.obj, action=step.action, label=str(step.move.label), frm=step.source or "", to=step.target,
           actor=step.actor, note=note)


def tip_transition(*, actor: Any, tip: Tip, action: str, note: str = "", **data: Any) -> Tip:
    return transition(workflow=workflow.TRANSITIONS, obj=tip, actor=actor, action=action, note=note, data=data,
                      check=_check, apply=_apply, event=_record_event, notify=notify_move,
                      audit_fields=["status", "assigned_unit", "forwarded_to", "confirmed", "reward_amount",
                                    "payout_ref"])


@transaction.atomic
def tip_verify(*, actor: Any, tip: Tip, verification: str, confirmed: bool | None, note: str = "",
               photos: Iterable[UploadedFile] = ()) -> Tip:
    """核查: the written verification record with its photos, in one transaction."""
    tip = tip_transition(actor=actor, tip=tip, action="verify", note=note, verification=verification,
                         confirmed=confirmed)
    for photo in photos:
        attach(actor=actor, owner=tip, file=photo, role="verification", kinds=("image",))
    return tip


@transaction.atomic
def tip_register_hazard(*, actor: Any, tip: Tip, domain: Any, grade: str | None = None, category: str = "thing",
                        deadline: dt.date | None = None, report_cause: str = "", report_analysis: str = "") -> Any:
    """A true tip becomes a hazard found by government (source 群众举报). The reporter is never copied into it."""
    from hazards.choices import Source
    from hazards.services import hazard_register

    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    _check(actor, tip)
    if not workflow.is_territorial_or_handler(actor, tip):
        raise PermissionDenied(_("只有属地或承办单位可以将举报登记为隐患。"))
    if tip.hazard_id:
        raise ValidationError(_("该举报已登记为隐患。"))
    if not tip.confirmed or tip.status in (TipStatus.RECEIVED, TipStatus.ASSIGNED, TipStatus.FORWARDED,
                                           TipStatus.DISMISSED):
        raise ValidationError(_("举报经核查属实后才能登记为隐患。"))
    text = tip.verification or tip.description
    hazard = hazard_register(
        actor=actor, description=f"{_('群众举报核查')}：{text}"[:4000], source=Source.PUBLIC_REPORT,
        enterprise=tip.enterprise, jurisdiction=tip.jurisdiction, domain=domain,
        place="" if tip.enterprise_id else (tip.subject or tip.address), location=tip.address, category=category,
        longitude=tip.longitude, latitude=tip.latitude, grade=grade or None, deadline=deadline,
        report_cause=report_cause, report_analysis=report_analysis)
    tip.hazard = hazard
    tip.save(update_fields=["hazard"])
    _event(tip, action="hazard", label=str(_("登记为隐患")), actor=actor, note=hazard.number)
    audit.record(action="tips.tip_link_hazard", obj=tip, actor=actor, changes={"hazard": [None, hazard.number]})
    return hazard


# -- enforcement: an inspection or a case from a tip ----------------------------------------------------------------

INSPECTABLE = (TipStatus.ASSIGNED, TipStatus.VERIFIED, TipStatus.REPLIED, TipStatus.REWARD_PROPOSED,
               TipStatus.REWARD_APPROVED, TipStatus.PAID, TipStatus.CLOSED)


def is_handling_department(actor: Any, tip: Tip) -> bool:
    """A regulator of the department the tip is assigned to: the one who can send inspectors (执法检查)."""
    from orgs.choices import UnitKind

    return (actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role(Role.REGULATOR)
            and tip.assigned_unit_id is not None and actor.unit_id == tip.assigned_unit_id
            and actor.unit.kind == UnitKind.DEPARTMENT)


def may_open_inspection(actor: Any, tip: Tip) -> bool:
    """An assigned tip is verified on site by an inspection (来源: 举报), or a true one is followed by one; not a
    tip found untrue, and only once."""
    return (is_handling_department(actor, tip) and not tip.inspection_id and tip.status in INSPECTABLE
            and tip.confirmed is not False)


def may_open_case(actor: Any, tip: Tip) -> bool:
    """立案 on a true tip against an enterprise (the tip's, or the one its inspection checked), once."""
    return (is_handling_department(actor, tip) and not tip.case_id and bool(tip.confirmed)
            and tip.status in INSPECTABLE and case_enterprise(tip) is not None)


def case_enterprise(tip: Tip) -> Any:
    if tip.enterprise_id:
        return tip.enterprise
    if tip.inspection_id and tip.inspection.enterprise_id:
        return tip.inspection.enterprise
    return None


def _locked_for_enforcement(actor: Any, tip: Tip) -> Tip:
    tip = (Tip.objects.select_for_update(of=("self",)).select_related("enterprise", "jurisdiction", "inspection")
           .get(pk=tip.pk))
    _check(actor, tip)
    if not is_handling_department(actor, tip):
        raise PermissionDenied(_("只有承办该举报的行业监管部门可以据此开展执法检查或立案。"))
    return tip


@transaction.atomic
def tip_open_inspection(*, actor: Any, tip: Tip, inspectors: list[Any], enterprise: Any = None, domain: Any = None,
                        planned_date: dt.date | None = None, unannounced: bool = False) -> Any:
    """An enforcement inspection (来源: 举报) of the tip's enterprise, of one the department names in the tip's
    township, or of the place itself recorded as a ``checks.Premises``. Only the place goes to enforcement: the
    reporter's identity stays in ``TipIdentity``."""
    from checks.services import premises_create
    from enforcement.choices import InspectionOrigin
    from enforcement.services import inspection_create

    tip = _locked_for_enforcement(actor, tip)
    if tip.inspection_id:
        raise ValidationError(_("该举报已据此开展执法检查。"))
    if tip.status not in INSPECTABLE or tip.confirmed is False:
        raise ValidationError(_("举报受理分办后、且未被核查为不属实，才能据此开展执法检查。"))
    target = tip.enterprise if tip.enterprise_id else enterprise
    premises = None
    if target is not None and not target.jurisdiction_path.startswith(tip.jurisdiction_path):
        raise ValidationError({"enterprise": _("所选企业不在举报地点所在的乡镇（街道）。")})
    if target is None:
        if domain is None:
            raise ValidationError({"domain": _("举报未指向登记企业：请选择被检查企业，或选择行业领域将举报地点登记为检查场所。")})
        if not actor.unit.domains.filter(pk=domain.pk).exists():
            raise ValidationError({"domain": _("只能选择本部门监管的行业领域。")})
        premises = premises_create(actor=actor, name=tip.subject or tip.address, address=tip.address,
                                   jurisdiction=tip.jurisdiction, domain=domain)
    inspection = inspection_create(actor=actor, origin=InspectionOrigin.COMPLAINT, inspectors=list(inspectors),
                                   enterprise=target, premises=premises, planned_date=planned_date,
                                   unannounced=unannounced)
    tip.inspection = inspection
    tip.save(update_fields=["inspection"])
    _event(tip, action="inspection", label=str(_("据此开展执法检查")), actor=actor, note=inspection.target_name)
    audit.record(action="tips.tip_link_inspection", obj=tip, actor=actor, changes={"inspection": [None, inspection.pk]})
    return inspection


@transaction.atomic
def tip_open_case(*, actor: Any, tip: Tip, cause: str) -> Any:
    """立案 (行政处罚) on a true tip, against the tip's enterprise or the one its inspection checked; the case
    names the inspection as its source when the same department made it."""
    from enforcement.services import case_open

    tip = _locked_for_enforcement(actor, tip)
    if tip.case_id:
        raise ValidationError(_("该举报已据此立案。"))
    if not tip.confirmed or tip.status not in INSPECTABLE:
        raise ValidationError(_("举报经核查属实后才能据此立案。"))
    enterprise = case_enterprise(tip)
    if enterprise is None:
        raise ValidationError(_("举报未指向登记企业，且据此开展的检查也不是对企业的检查，不能立案。"))
    inspection = tip.inspection if (tip.inspection_id and tip.inspection.department_id == actor.unit_id
                                    and tip.inspection.enterprise_id == enterprise.pk) else None
    case = case_open(actor=actor, enterprise=enterprise, cause=clean_text(cause, 300), inspection=inspection)
    tip.case = case
    tip.save(update_fields=["case"])
    _event(tip, action="case", label=str(_("据此立案")), actor=actor, note=case.cause)
    audit.record(action="tips.tip_link_case", obj=tip, actor=actor, changes={"case": [None, case.pk]})
    return case


# -- identity ---------------------------------------------------------------------------------------------------

def may_see_identity(actor: Any, tip: Tip) -> bool:
    """The office over the tip's place, and the regulators of the department handling it. Not the township,
    not inspectors, not anyone else: fewer eyes protect the reporter (安全生产法第七十三条 protects 举报人)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if workflow.is_office(actor, tip):
        return True
    return (actor.has_role(Role.REGULATOR) and tip.assigned_unit_id is not None
            and actor.unit_id == tip.assigned_unit_id)


@transaction.atomic
def identity_reveal(*, actor: Any, tip: Tip) -> dict[str, str]:
    """The reporter's name and phone, for one showing; every showing is in the change log."""
    _check(actor, tip)
    if not may_see_identity(actor, tip):
        raise PermissionDenied(_("您无权查看举报人信息。"))
    identity = TipIdentity.objects.filter(tip=tip).first()
    audit.record(action="tips.identity_view", obj=tip, actor=actor, note="shown" if identity else "none")
    if identity is None:
        return {"name": "", "phone": ""}
    return {"name": crypto.unseal(identity.name_sealed), "phone": crypto.unseal(identity.phone_sealed)}


# -- the reward rule --------------------------------------------------------------------------------------------

def reward_for(tip: Tip) -> tuple[decimal.Decimal, str]:
    """(amount, basis) by the most specific band for the tip's kind and its hazard's grade."""
    grade = (tip.hazard.grade or "") if tip.hazard_id else ""
    bands = {(b.kind, b.grade): b for b in RewardBand.objects.all()}
    if bands:
        for key in ((tip.kind, grade), (tip.kind, ""), ("", grade), ("", "")):
            if key in bands:
                band = bands[key]
                return band.amount, f"{band} {band.basis}".strip()[:200]
        return decimal.Decimal(0), ""
    for key in ((tip.kind, grade), (tip.kind, "")):
        if key in DEFAULT_BANDS:
            return DEFAULT_BANDS[key], str(_("默认奖励标准"))
    return decimal.Decimal(0), ""


@transaction.atomic
def reward_band_save(*, actor: Any, kind: str, grade: str, amount: decimal.Decimal, basis: str = "") -> RewardBand:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以设置奖励标准。"))
    if kind not in ("", *TipKind.values) or grade not in RewardGrade.values:
        raise ValidationError(_("举报类别或隐患等级无效。"))
    if amount is None or amount < 0 or amount > decimal.Decimal("1000000"):
        raise ValidationError({"amount": _("奖励金额应在0至100万元之间。")})
    band = RewardBand.objects.filter(kind=kind, grade=grade).first()
    before = audit.snapshot(band, ["amount", "basis"]) if band else {}
    band = band or RewardBand(kind=kind, grade=grade)
    band.amount, band.basis = amount, clean_text(basis, 200)
    band.save()
    audit.record(action="tips.band_save", obj=band, actor=actor, changes=audit.diff(before, audit.snapshot(band, ["amount", "basis"])))
    return band


@transaction.atomic
def reward_band_delete(*, actor: Any, band: RewardBand) -> None:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以设置奖励标准。"))
    audit.record(action="tips.band_delete", obj=band, actor=actor, changes={"amount": [str(band.amount), None]})
    band.delete()


# -- the exposure board -----------------------------------------------------------------------------------------

@transaction.atomic
def exposure_publish(*, actor: Any, title: str, summary: str, grounds: str = "", enterprise_name: str = "",
                     tip: Tip | None = None, case: Any = None, expires_on: dt.date | None = None,
                     today: dt.date | None = None) -> ExposureEntry:
    """Publish a typical case (from a tip or a penalty case) with personal data masked and an expiry date."""
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以发布曝光台典型案例。"))
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    title, summary = clean_text(title, 200), clean_text(summary, 5000)
    if not title:
        errors["title"] = _("请填写标题。")
    if not summary:
        errors["summary"] = _("请填写案情与处理结果。")
    expires_on = expires_on or today + dt.timedelta(days=TYPICAL_CASE_DAYS)
    if expires_on <= today or expires_on > today + dt.timedelta(days=TYPICAL_CASE_MAX_DAYS):
        errors["expires_on"] = _("撤下日期应在今天之后、三年之内。")
    if tip is not None:
        _check(actor, tip)
        if tip.status not in (TipStatus.REPLIED, TipStatus.REWARD_PROPOSED, TipStatus.REWARD_APPROVED,
                              TipStatus.PAID, TipStatus.CLOSED):
            errors["tip"] = _("举报答复后才能作为典型案例发布。")
    if case is not None:
        from enforcement.models import Case

        if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise PermissionDenied(_("该案件不在您的管辖范围内。"))
    if errors:
        raise ValidationError(errors)
    names: list[str] = []
    if tip is not None and hasattr(tip, "identity"):
        names.append(crypto.unseal(tip.identity.name_sealed))
    path = tip.jurisdiction_path if tip is not None else (case.jurisdiction_path if case is not None
                                                          else actor.get_scope().territories[0])
    entry = ExposureEntry.objects.create(
        kind=ExposureKind.CASE if case is not None else ExposureKind.TIP, title=mask_personal(title, names),
        summary=mask_personal(summary, names), grounds=clean_text(grounds, 300),
        enterprise_name=clean_text(enterprise_name, 200) or (tip.enterprise.name if tip and tip.enterprise_id else ""),
        tip=tip, case=case, jurisdiction_path=path, published_on=today, expires_on=expires_on, published_by=actor)
    audit.record(action="tips.exposure_publish", obj=entry, actor=actor,
                 changes=audit.diff({}, audit.snapshot(entry, ["title", "published_on", "expires_on"])))
    return entry


@transaction.atomic
def exposure_withdraw(*, actor: Any, entry: ExposureEntry, reason: str) -> ExposureEntry:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以撤下曝光内容。"))
    if not ExposureEntry.objects.visible_to(actor).filter(pk=entry.pk).exists():
        raise PermissionDenied(_("该内容不在您的管辖范围内。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写撤下理由。")})
    entry.withdrawn_at = timezone.now()
    entry.save(update_fields=["withdrawn_at"])
    audit.record(action="tips.exposure_withdraw", obj=entry, actor=actor, note=reason.strip()[:500])
    return entry
