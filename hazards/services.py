"""Hazard writes. Each is keyword-only, atomic, audited; status changes only in ``hazard_transition``
(through ``core.workflow.transition``)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import cn_date
from core.uploads import attach
from core.workflow import Step, transition
from hazards import tally, workflow
from hazards.choices import PLAN_DRAFT, PLAN_EDITABLE, AttachmentRole, Category, Grade, Source, Status
from hazards.models import Hazard, HazardEvent, RectificationPlan
from hazards.models.hazard import REVIEW_DAYS
from hazards.notify import notify_after_commit, notify_move
from hazards.selectors import default_supervisor, offices_of, regulators_of, territorial_units_of
from orgs.models import Domain, Jurisdiction

EDITABLE = ["place", "location", "longitude", "latitude", "description", "category", "criterion", "criterion_ref",
            "reporter", "report_cause", "report_analysis"]
AUDITED = ["number", "enterprise", "jurisdiction", "domain", "source", "finder", "finder_unit", "found_at", "grade",
           "status", "original_deadline", "deadline", "supervisor_unit", *EDITABLE, "report_sent_at", "applied_at", "review_deadline",
           "rectified_on", "accepted_at", "closed_at"]
ENTERPRISE_SOURCES = (Source.SELF_CHECK, Source.SENSOR, Source.OTHER)


def _unit_label(actor: Any) -> str:
    if actor is None:
        return ""
    if getattr(actor, "enterprise_id", None) and actor.has_role(Role.ENTERPRISE):
        return actor.enterprise.name
    return actor.unit.name if actor.unit_id else ""


def _check_coords(longitude: Any, latitude: Any) -> None:
    errors = {}
    if longitude is not None and not (73 <= float(longitude) <= 136):
        errors["longitude"] = _("经度应在 73 到 136 之间（中国境内）。")
    if latitude is not None and not (3 <= float(latitude) <= 54):
        errors["latitude"] = _("纬度应在 3 到 54 之间（中国境内）。")
    if errors:
        raise ValidationError(errors)


def _visible(actor: Any, hazard: Hazard) -> bool:
    return Hazard.objects.visible_to(actor).filter(pk=hazard.pk).exists()


@transaction.atomic
def hazard_register(
    *,
    actor: Any,
    description: str,
    source: str,
    enterprise: Any = None,
    jurisdiction: Jurisdiction | None = None,
    domain: Domain | None = None,
    place: str = "",
    category: str = Category.THING,
    found_at: dt.datetime | None = None,
    location: str = "",
    longitude: decimal.Decimal | None = None,
    latitude: decimal.Decimal | None = None,
    criterion: str = "",
    criterion_ref: str = "",
    reporter: str = "",
    deadline: dt.date | None = None,
    grade: str | None = None,
    report_cause: str = "",
    report_analysis: str = "",
    photos: Iterable[UploadedFile] = (),
    today: dt.date | None = None,
) -> Hazard:
    """登记: record a hazard. With a grade, the 评估定级 step follows in the same transaction."""
    if actor is None or not actor.has_business_role:
        raise PermissionDenied(_("只有业务账号可以登记隐患。"))
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述隐患情况。")
    if source not in Source.values:
        errors["source"] = _("请选择隐患来源。")
    if category not in Category.values:
        errors["category"] = _("请选择隐患类别。")
    is_enterprise_user = actor.has_role(Role.ENTERPRISE) and not actor.has_role(*workflow.GOVERNMENT_ROLES)
    if is_enterprise_user:
        if enterprise is None:
            enterprise = actor.enterprise
        if enterprise is None or enterprise.pk != actor.enterprise_id:
            raise PermissionDenied(_("企业账号只能登记本企业的隐患。"))
        if source not in ENTERPRISE_SOURCES:
            errors["source"] = _("企业登记的隐患来源应为企业自查、监测报警或其他。")
    elif source == Source.SELF_CHECK:
        # 企业自查 is what lets an enterprise accept and close a general hazard itself (自查自改).
        errors["source"] = _("政府部门登记的隐患来源不能为企业自查。")
    if enterprise is not None:
        ent_domains = list(enterprise.domains.all())
        if domain is None and ent_domains:
            domain = ent_domains[0]
        elif domain is not None and ent_domains and domain not in ent_domains:
            errors["domain"] = _("所选行业领域不属于该企业（企业行业领域：%(d)s）。") % {
                "d": "、".join(str(d) for d in ent_domains)}
        jurisdiction = enterprise.jurisdiction
        if not place:
            place = ""
    else:
        if jurisdiction is None:
            errors["jurisdiction"] = _("没有企业的隐患须选择所在属地。")
        if not (place or "").strip():
            errors["place"] = _("没有企业的隐患须填写场所（路段、小区、村组等）。")
    if domain is None:
        errors["domain"] = errors.get("domain") or _("请选择行业领域。")
    if grade not in (None, "", *Grade.values):
        errors["grade"] = _("隐患等级无效。")
    today = today or timezone.localdate()
    if deadline is not None and deadline < today:
        errors["deadline"] = _("整改期限不能早于今天。")
    found_at = found_at or timezone.now()
    if found_at > timezone.now() + dt.timedelta(minutes=5):
        errors["found_at"] = _("发现时间不能晚于现在。")
    if errors:
        raise ValidationError(errors)
    _check_coords(longitude, latitude)
    hazard = Hazard(
        enterprise=enterprise, jurisdiction=jurisdiction, jurisdiction_path=jurisdiction.path, domain=domain,
        place=(place or "").strip(), source=source, finder=actor, finder_unit=actor.unit if actor.unit_id else None,
        reporter=reporter.strip(), found_at=found_at, location=location.strip(), longitude=longitude,
        latitude=latitude, description=description, category=category, criterion=criterion.strip(),
        criterion_ref=criterion_ref.strip(), deadline=deadline,
        # A deadline set by government when it registers the hazard is an order (责令限期整改): it is the original
        # from the start. One given by the enterprise is a draft until its plan is confirmed.
        original_deadline=None if is_enterprise_user else deadline,
        report_cause=report_cause.strip(), report_analysis=report_analysis.strip(), created_by=actor,
    )
    hazard.save()
    hazard.number = f"YH{timezone.localdate(found_at):%Y}{hazard.pk:08d}"
    hazard.save(update_fields=["number"])
    tally.added(hazard)
    if not _visible(actor, hazard):
        # Re-check after the write: nobody records a hazard outside their own reach.
        raise PermissionDenied(_("该隐患不在您的管辖范围内（属地或行业）。"))
    HazardEvent.objects.create(hazard=hazard, action="register", label=str(_("登记")), from_status="",
                               to_status=Status.REGISTERED, actor=actor, actor_unit=_unit_label(actor),
                               note=description[:500], data={"source": source})
    audit.record(action="hazards.register", obj=hazard, changes=audit.diff({}, audit.snapshot(hazard, AUDITED)))
    for photo in photos:
        attach(actor=actor, owner=hazard, file=photo, role=AttachmentRole.BEFORE, kinds=("image",))
    if grade:
        hazard = hazard_transition(hazard=hazard, to=Status.ASSESSED, actor=actor, grade=grade,
                                   report_cause=report_cause, report_analysis=report_analysis)
    elif hazard.source != Source.SELF_CHECK:
        # A hazard found by someone else is news for the township it lies in.
        notify_after_commit(title=_("新登记隐患：%(w)s") % {"w": hazard.where}, body=description[:200],
                url=f"/hazards/{hazard.pk}/", units=territorial_units_of(hazard)[:1], obj=hazard,
                dedupe_key=f"hazard-registered-{hazard.pk}")
    return hazard


def _locked(hazard: Hazard) -> Hazard:
    return (Hazard.objects.select_for_update(of=("self",))
            .select_related("enterprise", "domain", "jurisdiction", "supervisor_unit", "finder_unit")
            .get(pk=hazard.pk))


@transaction.atomic
def hazard_update(*, actor: Any, hazard: Hazard, **values: Any) -> Hazard:
    """Edit what was recorded (description, place, criterion …); never the status, grade or deadline."""
    hazard = _locked(hazard)
    if not _visible(actor, hazard):
        raise PermissionDenied(_("该隐患不在您的管辖范围内。"))
    if hazard.is_frozen:
        raise ValidationError(_("隐患已%(s)s，不能再修改。") % {"s": hazard.get_status_display()})
    if not workflow.may_edit(actor, hazard):
        raise PermissionDenied(_("您没有修改该隐患的权限。"))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("以下内容不能在此修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    before = audit.snapshot(hazard, AUDITED)
    for key, value in values.items():
        setattr(hazard, key, value.strip() if isinstance(value, str) else value)
    if not hazard.description:
        raise ValidationError({"description": _("请描述隐患情况。")})
    if not hazard.enterprise_id and not hazard.place:
        raise ValidationError({"place": _("没有企业的隐患须填写场所（路段、小区、村组等）。")})
    if hazard.category not in Category.values:
        raise ValidationError({"category": _("请选择隐患类别。")})
    _check_coords(hazard.longitude, hazard.latitude)
    hazard.save()
    changes = audit.diff(before, audit.snapshot(hazard, AUDITED))
    if changes:
        audit.record(action="hazards.update", obj=hazard, changes=changes)
    return hazard


@transaction.atomic
def plan_save(*, actor: Any, hazard: Hazard, today: dt.date | None = None, **values: Any) -> RectificationPlan:
    """五到位 / 治理方案. Editable until rectification starts. Until the plan is confirmed (确定整改方案) its
    deadline becomes the hazard's deadline; afterwards only an approved extension (延期) moves the deadline,
    so a deadline here must be the one already in force."""
    hazard = tally.remember(_locked(hazard))
    if not _visible(actor, hazard):
        raise PermissionDenied(_("该隐患不在您的管辖范围内。"))
    if hazard.status not in PLAN_EDITABLE:
        raise ValidationError(_("隐患%(s)s，整改方案不能再修改（期限变更请申请延期）。") % {
            "s": hazard.get_status_display()})
    if not workflow.is_responsible(actor, hazard):
        raise PermissionDenied(_("整改方案由整改责任单位填写。"))
    unknown = set(values) - set(RectificationPlan.FIELDS)
    if unknown:
        raise ValidationError(_("未知的方案内容：%(f)s") % {"f": "、".join(sorted(unknown))})
    plan, _created = RectificationPlan.objects.get_or_create(hazard=hazard)
    confirmed = hazard.status not in PLAN_DRAFT
    if confirmed and "deadline" in values:
        if values["deadline"] not in (plan.deadline, hazard.deadline):
            raise ValidationError({"deadline": _("整改方案已确定，整改期限只能通过批准延期变更（当前期限：%(d)s）。") % {
                "d": cn_date(hazard.deadline)}})
        del values["deadline"]  # the same deadline again: nothing to change
    fields = RectificationPlan.FIELDS
    before = audit.snapshot(plan, fields)
    for key, value in values.items():
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    if plan.funds is not None and plan.funds < 0:
        raise ValidationError({"funds": _("整改资金不能为负数。")})
    today = today or timezone.localdate()
    if not confirmed and plan.deadline is not None and plan.deadline != hazard.deadline:
        if plan.deadline < today:
            raise ValidationError({"deadline": _("整改时限不能早于今天。")})
        # Before confirmation only an order's deadline (set by government at registration) is the original.
        if hazard.original_deadline is not None and plan.deadline > hazard.original_deadline:
            raise ValidationError({"deadline": _("检查单位限定的整改期限为%(d)s，超出须申请延期。") % {
                "d": cn_date(hazard.original_deadline)}})
    plan.save()
    hazard_before = audit.snapshot(hazard, ["deadline", "original_deadline"])
    if not confirmed and plan.deadline is not None and plan.deadline != hazard.deadline:
        hazard.deadline = plan.deadline
        hazard.save(update_fields=["deadline", "updated_at"])
        tally.follow(hazard)
    changes = audit.diff(before, audit.snapshot(plan, fields))
    changes.update(audit.diff(hazard_before, audit.snapshot(hazard, ["deadline", "original_deadline"])))
    if changes:
        audit.record(action="hazards.plan", obj=hazard, changes=changes)
    return plan


@transaction.atomic
def hazard_attach(*, actor: Any, hazard: Hazard, file: UploadedFile, role: str) -> Any:
    hazard = _locked(hazard)
    if not _visible(actor, hazard):
        raise PermissionDenied(_("该隐患不在您的管辖范围内。"))
    if hazard.is_frozen:
        raise ValidationError(_("隐患已%(s)s，不能再上传附件。") % {"s": hazard.get_status_display()})
    if not workflow.may_edit(actor, hazard):
        raise PermissionDenied(_("您没有为该隐患上传附件的权限。"))
    if role not in AttachmentRole.values:
        raise ValidationError({"role": _("请选择附件用途。")})
    kinds = ("image",) if role in (AttachmentRole.BEFORE, AttachmentRole.AFTER) else ("image", "document")
    return attach(actor=actor, owner=hazard, file=file, role=role, kinds=kinds)


def _apply(hazard: Hazard, action: str, actor: Any, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The side effects of a move on the hazard's own fields; returns what the event should keep."""
    kept: dict[str, Any] = {}
    if action == "plan":
        # Confirming the plan fixes its deadline as the original; from now on only 延期 moves the deadline.
        if hazard.original_deadline is None:
            hazard.original_deadline = hazard.deadline
    elif action == "assess":
        hazard.grade = data["grade"]
        for key in ("report_cause", "report_analysis"):
            if (data.get(key) or "").strip():
                setattr(hazard, key, data[key].strip())
        kept["grade"] = hazard.grade
        if hazard.grade == Grade.MAJOR:
            supervisor = default_supervisor(hazard)
            if supervisor is None:
                raise ValidationError(_("未找到监管“%(d)s”行业领域的部门，无法报告重大事故隐患，请联系系统管理员配置组织机构。")
                                      % {"d": hazard.domain})
            hazard.supervisor_unit = supervisor
            hazard.report_sent_at = now
            kept["supervisor_unit"] = supervisor.name
    elif action == "apply":
        hazard.applied_at = now
        hazard.review_deadline = timezone.localdate(now) + dt.timedelta(days=REVIEW_DAYS)
        rectified_on = data.get("rectified_on") or timezone.localdate(now)
        if rectified_on > timezone.localdate(now):
            raise ValidationError({"rectified_on": _("整改完成日期不能晚于今天。")})
        hazard.rectified_on = rectified_on
        kept.update(result=data["result"].strip(), rectified_on=rectified_on.isoformat())
    elif action == "accept":
        hazard.accepted_at = now
        due = hazard.review_due
        if due is not None:
            kept["review_due"] = due.isoformat()
            kept["review_late"] = timezone.localdate(now) > due
    elif action == "return":
        hazard.applied_at = hazard.review_deadline = None
        hazard.rectified_on = None
    elif action == "close":
        hazard.closed_at = now
    elif action == "extend":
        kept.update(old_deadline=hazard.deadline.isoformat() if hazard.deadline else None,
                    new_deadline=data["deadline"].isoformat())
        if hazard.original_deadline is None:  # only for rows confirmed before originals were fixed at confirmation
            hazard.original_deadline = hazard.deadline or data["deadline"]
        hazard.deadline = data["deadline"]
    elif action == "spot_fix":
        if hazard.grade is None:
            hazard.grade = Grade.GENERAL
        hazard.rectified_on = timezone.localdate(now)
        hazard.applied_at = hazard.accepted_at = hazard.closed_at = now
        if (data.get("result") or "").strip():
            kept["result"] = data["result"].strip()
    return kept


def _check_visible(actor: Any, hazard: Hazard) -> None:
    if not _visible(actor, hazard):
        raise PermissionDenied(_("该隐患不在您的管辖范围内。"))


def _record_move(step: Step) -> None:
    hazard, move = step.obj, step.move
    tally.follow(hazard)  # the move is saved: its counts move with it, in the same transaction
    if move.action == "close":
        from hazards.supervision import remove_on_close

        remove_on_close(hazard=hazard, actor=step.actor, now=step.now)
    HazardEvent.objects.create(hazard=hazard, action=move.action, label=str(move.label), from_status=step.source,
                               to_status=step.target, actor=step.actor, actor_unit=_unit_label(step.actor),
                               note=step.note, data=step.kept, at=step.now)


def hazard_transition(*, hazard: Hazard, to: str, actor: Any, note: str = "", **data: Any) -> Hazard:
    """The one way a hazard changes state: lock, check the table and its rule, save, record, notify."""
    if actor is None:
        raise PermissionDenied(_("隐患状态只能由具体人员变更。"))
    return transition(workflow=workflow.TRANSITIONS, obj=hazard, to=to, actor=actor, note=note, data=data,
                      lock=lambda h: tally.remember(_locked(h)), check=_check_visible, audit_fields=AUDITED, event=_record_move,
                      apply=lambda step: _apply(step.obj, step.action, step.actor, step.data, step.now),
                      notify=notify_move)


def supervisors_of(hazard: Hazard) -> list[Any]:
    """Territorial units, the departments regulating its domain, and the campaign office (for escalation)."""
    return [*territorial_units_of(hazard)[:1], *regulators_of(hazard)[:1], *offices_of(hazard)[:1]]
