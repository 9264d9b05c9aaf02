"""Writes of the credit module: keyword-only, atomic, audited (core.audit) in the same transaction.

Who writes what: penalty events come from enforcement's decision (``penalty_event_write``) and the collectors
(``credit.collectors``); an official of the office, a regulating department or an inspector registers the events
nobody else records (拒绝、阻碍监督检查; 安全生产标准化 grades) for an enterprise in their own scope; the office and the
departments propose, decide and remove 黑名单 entries and decide 信用修复; the enterprise applies for 信用修复."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import cn_date
from core.workflow import Step, transition
from credit import collectors, rules, standing
from credit.choices import BlacklistStatus, EventKind, RepairStatus, StandardLevel
from credit.models import BlacklistEntry, CreditEvent, RepairApplication
from enterprises.models import Enterprise

GOVERNMENT = (Role.OFFICE, Role.REGULATOR, Role.INSPECTOR)
MAX_TEXT = 2000


def _text(value: Any, field: str, limit: int, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > limit:
        raise ValidationError({field: _("不能超过%(n)s个字。") % {"n": limit}})
    return text


def _own_scope(actor: Any, enterprise: Enterprise) -> None:
    """The enterprise is in the actor's direct scope (a grant never widens a credit decision)."""
    if not Enterprise.objects.visible_to(actor, grants=False).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("该企业不在您的范围内。"))


def _government(actor: Any, roles: Iterable[str] = GOVERNMENT) -> None:
    if actor is None or not actor.has_role(*roles) or not actor.unit_id:
        raise PermissionDenied(_("只有安委办、行业监管部门和执法检查人员可以办理。"))


# -- events ------------------------------------------------------------------------------------------------------

def penalty_event_write(case: Any) -> CreditEvent | None:
    """Called by enforcement in the penalty decision's transaction: the decision's credit event (once)."""
    event = collectors.penalty_event(case)
    if CreditEvent.objects.filter(source_key=event.source_key).exists():
        return None
    event.copy_scope_keys()
    event.save()
    audit.record(action="credit.event_record", obj=event, changes={"case": [None, case.pk],
                                                                     "grounds": [None, event.grounds]})
    standing.refresh([event.enterprise_id])
    return event


def penalty_event_revoke(case: Any, *, at: dt.datetime, reason: str = "") -> int:
    """Called by enforcement when a published decision is withdrawn (行政处罚法第四十八条)."""
    qs = CreditEvent.objects.filter(source_type="enforcement.case", source_id=case.pk, revoked_at__isnull=True)
    return collectors.revoke_events(qs, reason=reason or "处罚决定已撤回（行政处罚法第四十八条）", at=at)


@transaction.atomic
def event_register(*, actor: Any, enterprise: Enterprise, kind: str, grounds: str, occurred_on: dt.date,
                   level: str = "", inspection: Any = None) -> CreditEvent:
    """An event nobody else records: 拒绝、阻碍监督检查 (安全生产法第六十七条 duties; a refusal the inspector witnessed,
    optionally on an inspection) or a 安全生产标准化 grade (一级/二级/三级)."""
    _government(actor)
    _own_scope(actor, enterprise)
    if kind not in (EventKind.OBSTRUCTION, EventKind.STANDARDIZATION):
        raise ValidationError({"kind": _("这类信用事件由系统根据处罚、隐患、事故和举报记录自动形成。")})
    grounds = _text(grounds, "grounds", 500, _("请写明事由。"))
    today = timezone.localdate()
    if not isinstance(occurred_on, dt.date) or occurred_on > today or occurred_on < today - dt.timedelta(days=3650):
        raise ValidationError({"occurred_on": _("发生日期应在十年内且不晚于今天。")})
    if kind == EventKind.STANDARDIZATION:
        if level not in StandardLevel.values:
            raise ValidationError({"level": _("请选择标准化等级。")})
        points = rules.STANDARD_POINTS[StandardLevel(level)]
    else:
        level, points = "", rules.OBSTRUCTION_POINTS
    source_type, source_id = "", None
    if inspection is not None:
        from enforcement.models import Inspection

        if not Inspection.objects.visible_to(actor).filter(pk=inspection.pk, enterprise=enterprise).exists():
            raise ValidationError({"inspection": _("所选检查不属于该企业或不在您的范围内。")})
        source_type, source_id = "enforcement.inspection", inspection.pk
    event = CreditEvent(enterprise=enterprise, kind=kind, points=points, level=level, grounds=grounds,
                        source_type=source_type, source_id=source_id, source_key=f"manual:{uuid.uuid4().hex}",
                        occurred_on=occurred_on, expires_on=rules.expires_on(kind, occurred_on),
                        department_id=actor.unit_id, recorded_by=actor)
    event.copy_scope_keys()
    event.save()
    audit.record(action="credit.event_register", obj=event,
                 changes={"kind": [None, kind], "points": [None, points], "grounds": [None, grounds],
                          "occurred_on": [None, occurred_on.isoformat()]})
    standing.refresh([event.enterprise_id])
    return event


@transaction.atomic
def event_revoke(*, actor: Any, event: CreditEvent, reason: str) -> CreditEvent:
    """Revoke an event registered by hand (wrongly recorded); collected events follow their source."""
    _government(actor, (Role.OFFICE, Role.REGULATOR))
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    _own_scope(actor, event.enterprise)
    if not event.source_key.startswith("manual:"):
        raise ValidationError(_("自动形成的信用事件随其来源变化，不能手工撤销。"))
    if event.revoked_at is not None:
        raise ValidationError(_("该信用事件已撤销。"))
    reason = _text(reason, "reason", 300, _("请说明撤销理由。"))
    collectors.revoke_events(CreditEvent.objects.filter(pk=event.pk), reason=reason)
    event.refresh_from_db()
    return event


def recompute(*, actor: Any, enterprise: Enterprise) -> dict[str, int]:
    """“立即更新”: run every collector for this enterprise now (what the periodic job does for all)."""
    _government(actor)
    _own_scope(actor, enterprise)
    return collectors.collect_all(timezone.localdate(), [enterprise.pk])


# -- 严重失信主体名单 ------------------------------------------------------------------------------------------------

@transaction.atomic
def blacklist_propose(*, actor: Any, enterprise: Enterprise, grounds: str, basis: str = "",
                      event: CreditEvent | None = None) -> BlacklistEntry:
    _government(actor, (Role.OFFICE, Role.REGULATOR))
    _own_scope(actor, enterprise)
    grounds = _text(grounds, "grounds", MAX_TEXT, _("请写明列入事由。"))
    basis = str(basis or "").strip()[:300]
    if event is not None and event.enterprise_id != enterprise.pk:
        raise ValidationError({"event": _("所选信用事件不属于该企业。")})
    pending = BlacklistEntry.objects.filter(enterprise=enterprise).filter(
        Q(status=BlacklistStatus.PROPOSED) | Q(status=BlacklistStatus.LISTED, expires_on__gt=timezone.localdate()))
    if pending.exists():
        raise ValidationError(_("该企业已在名单中或已有待认定的列入。"))
    entry = BlacklistEntry(enterprise=enterprise, grounds=grounds, basis=basis, event=event,
                           department_id=actor.unit_id, proposed_by=actor, status=BlacklistStatus.PROPOSED)
    entry.copy_scope_keys()
    entry.save()
    audit.record(action="credit.blacklist_propose", obj=entry,
                 changes={"status": [None, entry.status], "grounds": [None, grounds], "basis": [None, basis]})
    return entry


def _check_entry(actor: Any, entry: BlacklistEntry) -> None:
    if not BlacklistEntry.objects.visible_to(actor, grants=False).filter(pk=entry.pk).exists():
        raise PermissionDenied(_("该名单记录不在您的范围内。"))


def _apply_entry(step: Step) -> dict[str, Any]:
    entry: BlacklistEntry = step.obj
    if step.action == "decide":
        entry.statement = str(step.data["statement"]).strip()[:MAX_TEXT]
        entry.listed_on = step.data["listed_on"]
        entry.expires_on = rules.add_years(entry.listed_on, rules.BLACKLIST_YEARS)
        entry.decided_by = step.actor
    elif step.action == "remove":
        entry.removed_on = timezone.localdate(step.now)
        entry.removed_by = step.actor
        entry.removal_reason = step.note[:300]
    return {}


def _after_entry(step: Step) -> None:
    # Listing and removal change the class at once (a listing may be dated back to its proposal).
    standing.refresh([step.obj.enterprise_id])


def blacklist_transition(*, actor: Any, entry: BlacklistEntry, action: str, note: str = "",
                         **data: Any) -> BlacklistEntry:
    from credit.workflow import BLACKLIST_TRANSITIONS

    return transition(workflow=BLACKLIST_TRANSITIONS, obj=entry, actor=actor, action=action, note=note, data=data,
                      check=_check_entry, apply=_apply_entry, on_applied=_after_entry,
                      audit_fields=["status", "statement", "listed_on", "expires_on", "removed_on", "removal_reason"])


# -- 信用修复 -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    label: str
    met: bool
    unmet_text: str


def repair_conditions(application: RepairApplication, today: dt.date) -> list[Condition]:
    """The conditions of 信用修复 (rules module docstring, 第11号令 [M]): each chosen event still counts and has counted
    its minimum period; its source is put right (a penalty carried out and declared paid; the hazard accepted or
    closed); a listing has lasted its minimum period; the rectification and the commitment are written."""
    from hazards.choices import DONE_STATUSES
    from hazards.models import Hazard

    out: list[Condition] = []
    events = list(application.events.all())
    entry = application.blacklist_entry
    out.append(Condition(_("选择了要修复的信用事件或名单"), bool(events) or entry is not None,
                         _("请选择要修复的信用事件或名单记录。")))
    for e in events:
        name = f"{cn_date(e.occurred_on)} {e.get_kind_display()}"
        out.append(Condition(_("%(e)s：仍在有效期内且未修复") % {"e": name}, rules.counts(e, today) and e.points < 0,
                             _("%(e)s已失效、已撤销或已修复。") % {"e": name}))
        days = rules.REPAIR_MIN_DAYS.get(EventKind(e.kind), 365)
        out.append(Condition(_("%(e)s：已满%(n)s天") % {"e": name, "n": days},
                             e.occurred_on + dt.timedelta(days=days) <= today,
                             _("%(e)s尚未满%(n)s天的最短公示期。") % {"e": name, "n": days}))
        if e.kind == EventKind.PENALTY:
            from enforcement.choices import CaseStatus
            from enforcement.models import Case

            executed = Case.objects.filter(pk=e.source_id, status__in=(CaseStatus.EXECUTED, CaseStatus.CLOSED)).exists()
            out.append(Condition(_("%(e)s：处罚已执行且已履行") % {"e": name},
                                 executed and application.penalty_fulfilled,
                                 _("%(e)s：行政处罚尚未执行完毕或未声明已履行。") % {"e": name}))
        if e.kind == EventKind.OVERDUE_MAJOR:
            fixed = Hazard.objects.filter(pk=e.source_id, status__in=DONE_STATUSES).exists()
            out.append(Condition(_("%(e)s：隐患已整改验收") % {"e": name}, fixed,
                                 _("%(e)s：重大事故隐患尚未整改验收。") % {"e": name}))
    if entry is not None:
        listed = entry.status == BlacklistStatus.LISTED and entry.listed_on is not None
        out.append(Condition(_("名单记录已列入满%(n)s天") % {"n": rules.BLACKLIST_REPAIR_MIN_DAYS},
                             listed and entry.listed_on + dt.timedelta(days=rules.BLACKLIST_REPAIR_MIN_DAYS) <= today,
                             _("名单记录未列入或列入未满%(n)s天。") % {"n": rules.BLACKLIST_REPAIR_MIN_DAYS}))
    out.append(Condition(_("写明整改情况"), bool(application.rectification.strip()), _("请写明整改情况。")))
    out.append(Condition(_("签署信用承诺"), bool(application.commitment.strip()), _("请填写信用承诺。")))
    return out


@transaction.atomic
def repair_apply(*, actor: Any, enterprise: Enterprise, events: Iterable[CreditEvent] = (),
                 blacklist_entry: BlacklistEntry | None = None, rectification: str, commitment: str,
                 penalty_fulfilled: bool = False) -> RepairApplication:
    if actor is None or not actor.has_role(Role.ENTERPRISE) or actor.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("信用修复由企业本单位申请。"))
    events = list(events)
    if any(e.enterprise_id != enterprise.pk or e.points >= 0 for e in events):
        raise ValidationError({"events": _("只能申请修复本企业的失信事件。")})
    if blacklist_entry is not None and blacklist_entry.enterprise_id != enterprise.pk:
        raise ValidationError({"blacklist_entry": _("所选名单记录不属于本企业。")})
    if not events and blacklist_entry is None:
        raise ValidationError({"events": _("请选择要修复的信用事件或名单记录。")})
    open_apps = RepairApplication.objects.filter(enterprise=enterprise, status=RepairStatus.SUBMITTED)
    if open_apps.filter(events__in=[e.pk for e in events]).exists() or (
            blacklist_entry is not None and open_apps.filter(blacklist_entry=blacklist_entry).exists()):
        raise ValidationError(_("所选事项已有待审核的修复申请。"))
    application = RepairApplication(
        enterprise=enterprise, blacklist_entry=blacklist_entry, penalty_fulfilled=bool(penalty_fulfilled),
        rectification=_text(rectification, "rectification", MAX_TEXT, _("请写明整改情况。")),
        commitment=_text(commitment, "commitment", MAX_TEXT, _("请填写信用承诺。")), submitted_by=actor)
    application.copy_scope_keys()
    application.save()
    application.events.set(events)
    audit.record(action="credit.repair_apply", obj=application,
                 changes={"status": [None, application.status], "events": [None, sorted(e.pk for e in events)],
                          "blacklist_entry": [None, blacklist_entry.pk if blacklist_entry else None]})
    return application


def _check_application(actor: Any, application: RepairApplication) -> None:
    if not RepairApplication.objects.visible_to(actor, grants=False).filter(pk=application.pk).exists():
        raise PermissionDenied(_("该申请不在您的范围内。"))


def _apply_application(step: Step) -> dict[str, Any]:
    application: RepairApplication = step.obj
    application.decided_by = step.actor
    application.decided_unit_id = step.actor.unit_id
    application.decided_at = step.now
    application.decision_note = step.note[:500]
    return {}


def _after_application(step: Step) -> None:
    application: RepairApplication = step.obj
    if step.action != "approve":
        return
    events = list(CreditEvent.objects.select_for_update().filter(pk__in=application.events.values("pk"),
                                                                  repaired_at__isnull=True))
    for e in events:
        e.repaired_at, e.repair = step.now, application
    CreditEvent.objects.bulk_update(events, ["repaired_at", "repair"])
    audit.record_many(("credit.event_repair", e, {"repaired_at": [None, step.now.isoformat()],
                                                  "repair": [None, application.pk]}, "") for e in events)
    standing.refresh([application.enterprise_id])
    entry = application.blacklist_entry
    if entry is not None and entry.status == BlacklistStatus.LISTED:
        blacklist_transition(actor=step.actor, entry=entry, action="remove",
                             note=_("信用修复（申请%(n)s）") % {"n": application.pk})


def repair_transition(*, actor: Any, application: RepairApplication, action: str, note: str = "",
                      **data: Any) -> RepairApplication:
    from credit.workflow import REPAIR_TRANSITIONS

    return transition(workflow=REPAIR_TRANSITIONS, obj=application, actor=actor, action=action, note=note, data=data,
                      check=_check_application, apply=_apply_application, on_applied=_after_application,
                      audit_fields=["status", "decided_at", "decision_note"])
