"""The escalation engine: remind before a deadline, climb the ladder after it.

``sweep()`` runs every hour (``escalation.tasks.run_sweep``) and from ``manage.py run_sweep``. It is
idempotent: an ``EscalationRecord`` is unique per (source, object, step, deadline) and reminders carry
a dedupe key per (object, deadline, working-day threshold), so re-running creates nothing new, and an
extended deadline starts the ladder over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.audit import Source, audit_context
from core.workflow import Step, transition
from escalation.choices import Action, RecordStatus
from escalation.models import EscalationLadder, EscalationRecord, EscalationStep
from escalation.registry import SOURCES, DeadlineSource, Recipients, get_source
from escalation.workflow import RECORD_TRANSITIONS
from notifications.choices import Kind
from notifications.services import notify
from workdays import services as workdays

logger = logging.getLogger("anzhi.escalation")

CHUNK = 500
WRITE_BATCH = 50


@dataclass
class SourceReport:
    key: str
    label: str
    scanned: int = 0
    reminders: int = 0
    applied: int = 0
    proposed: int = 0
    errors: int = 0


@dataclass
class SweepReport:
    today: dt.date
    sources: dict[str, SourceReport] = field(default_factory=dict)
    notifications: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def reminders(self) -> int:
        return sum(s.reminders for s in self.sources.values())

    @property
    def applied(self) -> int:
        return sum(s.applied for s in self.sources.values())

    @property
    def proposed(self) -> int:
        return sum(s.proposed for s in self.sources.values())

    def lines(self) -> list[str]:
        out = [_("督办巡查（%(d)s）：提醒 %(r)s 项，执行督办措施 %(a)s 项，提请安委办决定 %(p)s 项，发送消息 %(n)s 条。") % {
            "d": self.today.isoformat(), "r": self.reminders, "a": self.applied, "p": self.proposed,
            "n": self.notifications}]
        for s in self.sources.values():
            out.append(_("  %(l)s：检查 %(s)s 项，提醒 %(r)s，执行 %(a)s，待决定 %(p)s，出错 %(e)s") % {
                "l": s.label, "s": s.scanned, "r": s.reminders, "a": s.applied, "p": s.proposed, "e": s.errors})
        out += self.errors
        return out


# -- helpers --------------------------------------------------------------------------------------------
def due_of(source: DeadlineSource, obj: Any) -> dt.date | None:
    value = getattr(obj, source.due_field)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def ladder_for(source: DeadlineSource) -> EscalationLadder | None:
    """The office's ladder for this source (``applies_to``) wins over the source's default code."""
    ladder = (EscalationLadder.objects.filter(active=True, applies_to=source.key).order_by("pk").first()
              if source.key else None)
    if ladder is None and source.ladder:
        ladder = EscalationLadder.objects.filter(active=True, code=source.ladder).first()
    return ladder


def _scope_keys(obj: Any) -> dict[str, Any]:
    domain_id = getattr(obj, "domain_id", None)
    return {
        "jurisdiction_path": getattr(obj, "jurisdiction_path", "") or "",
        "domain_id": domain_id if isinstance(domain_id, int) else None,
        "enterprise_id": getattr(obj, "enterprise_id", None) if isinstance(getattr(obj, "enterprise_id", None),
                                                                             int) else None,
    }


_office_cache: dict[str, list[Any]] | None = None


def office_users(path: str) -> list[Any]:
    """Active users of the campaign office whose territory covers ``path`` (every office when unknown).

    Read once per sweep (the office has a handful of accounts), once per call otherwise."""
    from accounts.models import User

    cache = _office_cache
    if cache is not None and "all" in cache:
        users = cache["all"]
    else:
        users = list(User.objects.filter(is_active=True, role_grants__role=Role.OFFICE).select_related("unit")
                     .distinct())
        if cache is not None:
            cache["all"] = users
    if not path:
        return users
    return [u for u in users if u.unit is None or path.startswith(u.unit.jurisdiction_path)]


def _recipients(source: DeadlineSource, obj: Any, *, responsible: bool, supervisors: bool, office: bool,
                path: str) -> Recipients:
    rec = Recipients()
    if responsible:
        rec = rec + source.responsible(obj)
    if supervisors:
        rec = rec + source.supervisors(obj)
    if office:
        rec = rec + Recipients(users=tuple(office_users(path)))
    return rec


def _chunks(qs: models.QuerySet) -> Iterator[list[Any]]:
    """Key-set pagination by pk: constant memory, safe to write while reading, same on both databases."""
    last = None
    while True:
        page = qs.filter(pk__gt=last) if last is not None else qs
        rows = list(page.order_by("pk")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _send(rec: Recipients, **kwargs: Any) -> int:
    if not rec:
        return 0
    return notify(users=rec.users, units=rec.units, **kwargs)


# -- the sweep ------------------------------------------------------------------------------------------
def sweep(*, today: dt.date | None = None, sources: Iterable[str] | None = None) -> SweepReport:
    global _office_cache
    today = today or timezone.localdate()
    report = SweepReport(today=today)
    _office_cache = {}
    try:
        with audit_context(source=Source.SYSTEM):
            for key in (list(sources) if sources is not None else list(SOURCES)):
                source = get_source(key)
                sr = report.sources[key] = SourceReport(key=key, label=source.label)
                try:
                    _sweep_source(source, today, report, sr)
                except Exception as exc:  # one broken source must not stop the others
                    logger.exception("sweep of %s failed", key)
                    report.errors.append(_("%(l)s：巡查失败（%(e)s）") % {"l": source.label, "e": exc})
    finally:
        _office_cache = None
    return report


def _sweep_source(source: DeadlineSource, today: dt.date, report: SweepReport, sr: SourceReport) -> None:
    ladder = ladder_for(source)
    steps = list(ladder.steps.order_by("order", "after_workdays", "pk")) if ladder else []
    if source.ladder and ladder is None:
        report.errors.append(_("%(l)s：督办阶梯“%(c)s”不存在或已停用，逾期事项只标记不升级。") % {
            "l": source.label, "c": source.ladder})
    thresholds = sorted(set(source.remind_before))
    horizon = workdays.add_workdays(today, max(thresholds)) if thresholds else today
    qs = source.open_items().filter(**{f"{source.due_lookup}__isnull": False, f"{source.due_lookup}__lte": horizon})
    if not steps:
        qs = qs.filter(**{f"{source.due_lookup}__gte": today})  # only reminders left to send
    for chunk in _chunks(qs):
        sr.scanned += len(chunk)
        ids = [o.pk for o in chunk]
        done = set(EscalationRecord.objects.filter(source_key=source.key, object_id__in=ids, step__isnull=False)
                   .values_list("object_id", "step_id", "due_date"))
        reminder_keys = {_reminder_key(source, o, t) for o in chunk for t in thresholds if due_of(source, o)}
        sent = set(_existing_dedupe_keys(reminder_keys))
        # One short transaction per WRITE_BATCH items (few commits, and the audit chain's lock is
        # never held long); a savepoint per item keeps a failing item from taking the others with it.
        for start in range(0, len(chunk), WRITE_BATCH):
            with transaction.atomic():
                for obj in chunk[start:start + WRITE_BATCH]:
                    _sweep_item(source, obj, today, thresholds, steps, sent, done, report, sr)


def _sweep_item(source: DeadlineSource, obj: Any, today: dt.date, thresholds: list[int],
                steps: list[EscalationStep], sent: set[str], done: set[tuple[int, int, dt.date]],
                report: SweepReport, sr: SourceReport) -> None:
    due = due_of(source, obj)
    if due is None:
        return
    try:
        with transaction.atomic():
            if due >= today:
                _remind(source, obj, due, today, thresholds, sent, report, sr)
            elif steps:
                _climb(source, obj, due, today, steps, done, report, sr)
    except Exception as exc:
        logger.exception("sweep of %s #%s failed", source.key, obj.pk)
        sr.errors += 1
        report.errors.append(_("%(l)s #%(p)s：%(e)s") % {"l": source.label, "p": obj.pk, "e": exc})


def _reminder_key(source: DeadlineSource, obj: Any, threshold: int) -> str:
    return f"{source.key}:{obj.pk}:{due_of(source, obj)}:remind:{threshold}"


def _existing_dedupe_keys(keys: set[str]) -> list[str]:
    from notifications.models import Notification

    if not keys:
        return []
    return list(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True).distinct())


def _remind(source: DeadlineSource, obj: Any, due: dt.date, today: dt.date, thresholds: list[int],
            sent: set[str], report: SweepReport, sr: SourceReport) -> None:
    left = workdays.workdays_between(today, due)
    fitting = [t for t in thresholds if left <= t]
    if not fitting:
        return
    threshold = fitting[0]
    key = _reminder_key(source, obj, threshold)
    if key in sent:
        return
    title = source.title(obj)
    when = _("今天") if due == today else _("%(n)s个工作日后（%(d)s）") % {"n": left, "d": due.isoformat()}
    if due != today and left == 0:
        when = _("%(d)s（节假日）") % {"d": due.isoformat()}
    note = workdays.calendar_note(due)
    body = _("%(label)s“%(title)s”将于%(when)s%(kind)s，请按期办理。") % {
        "label": source.label, "title": title, "when": when, "kind": source.kind_label}
    if note:
        body += f"（{note}）"
    n = _send(source.responsible(obj), title=_("%(label)s即将%(kind)s：%(title)s") % {
        "label": source.label, "kind": source.kind_label, "title": title},
        body=body, url=source.url(obj), kind=Kind.REMINDER, obj=obj, dedupe_key=key, source_key=source.key)
    sent.add(key)
    if n:
        sr.reminders += 1
        report.notifications += n


def _climb(source: DeadlineSource, obj: Any, due: dt.date, today: dt.date, steps: list[EscalationStep],
           done: set[tuple[int, int, dt.date]], report: SweepReport, sr: SourceReport) -> None:
    over = workdays.workdays_between(due, today)
    pending = [s for s in steps if s.after_workdays <= over and (obj.pk, s.pk, due) not in done]
    if not pending:
        return
    keys = _scope_keys(obj)
    title = source.title(obj)
    url = source.url(obj)
    # Catching up (an item first seen long overdue): every passed step is recorded, but only the
    # highest automatic one and the highest proposal send messages.
    last_auto = max((s for s in pending if not s.needs_decision), key=lambda s: s.after_workdays, default=None)
    last_prop = max((s for s in pending if s.needs_decision), key=lambda s: s.after_workdays, default=None)
    for step in pending:
        status = RecordStatus.PROPOSED if step.needs_decision else RecordStatus.APPLIED
        record = EscalationRecord.objects.create(
            source_key=source.key, object_type=source.object_type, object_id=obj.pk, object_title=title[:300],
            object_url=url[:500], step=step, action=step.action, status=status, due_date=due,
            overdue_workdays=over, **keys,
            note=_("逾期 %(n)s 个工作日，按督办阶梯自动%(v)s") % {
                "n": over, "v": _("提请决定") if step.needs_decision else _("执行")})
        done.add((obj.pk, step.pk, due))
        audit.record(action="escalation.propose" if step.needs_decision else "escalation.apply", obj=record,
                     changes={"source": source.key, "object_id": obj.pk, "action": step.action, "status": status,
                              "due_date": due, "overdue_workdays": over})
        if step.needs_decision:
            sr.proposed += 1
            if step is last_prop:
                report.notifications += _send(
                    Recipients(users=tuple(office_users(keys["jurisdiction_path"]))),
                    title=_("待决定：%(label)s“%(title)s”逾期，拟%(action)s") % {
                        "label": source.label, "title": title, "action": step.get_action_display()},
                    body=_("%(label)s“%(title)s”已逾期 %(n)s 个工作日（期限 %(d)s），按督办阶梯拟%(action)s，"
                           "请在督办台确认或不予执行。") % {
                        "label": source.label, "title": title, "n": over, "d": due.isoformat(),
                        "action": step.get_action_display()},
                    url=_board_url(), kind=Kind.DECISION, obj=obj, source_key=source.key,
                    dedupe_key=f"{source.key}:{obj.pk}:{due}:step:{step.pk}:proposed")
        else:
            sr.applied += 1
            if step is last_auto:
                report.notifications += _announce(source, obj, record, step.notify_responsible,
                                                  step.notify_supervisors, step.notify_office, over)


def _board_url() -> str:
    from django.urls import reverse

    return reverse("escalation:board") + "#decisions"


def _announce(source: DeadlineSource, obj: Any, record: EscalationRecord, responsible: bool, supervisors: bool,
              office: bool, over: int) -> int:
    rec = _recipients(source, obj, responsible=responsible, supervisors=supervisors, office=office,
                      path=record.jurisdiction_path)
    action = record.get_action_display()
    kind = Kind.OVERDUE if record.action == Action.REMINDER else Kind.ESCALATION
    body = _("%(label)s“%(title)s”期限为 %(d)s，已逾期 %(n)s 个工作日，现予%(action)s。") % {
        "label": source.label, "title": record.object_title, "d": record.due_date.isoformat(), "n": over,
        "action": action}
    if record.note and record.manual:
        body += _("说明：%(note)s") % {"note": record.note}
    return _send(rec, title=_("【%(action)s】%(label)s逾期：%(title)s") % {
        "action": action, "label": source.label, "title": record.object_title},
        body=body, url=record.object_url, kind=kind, obj=obj, source_key=source.key,
        dedupe_key=f"escalation:{record.pk}")


# -- decisions by the office ------------------------------------------------------------------------------
def _check_office(actor: Any) -> None:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以决定督办措施。"))


def _visible_object(actor: Any, source: DeadlineSource, object_id: int) -> Any:
    obj = source.model.objects.visible_to(actor).filter(pk=object_id).first()
    if obj is None:
        raise PermissionDenied(_("该事项不在您的管辖范围内。"))
    return obj


DECISION_FIELDS = ["status", "decided_by", "decided_at", "note"]


def _check_record_visible(actor: Any, record: EscalationRecord) -> None:
    if not EscalationRecord.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise PermissionDenied(_("该督办记录不在您的管辖范围内。"))


def _apply_decision(step: Step) -> None:
    record = step.obj
    record.decided_by, record.decided_at = step.actor, step.now
    if step.note:
        record.note = f"{record.note}\n{step.note}".strip() if record.note else step.note


def _after_decision(step: Step) -> None:
    record = step.obj
    if step.action != "confirm":
        return
    if record.step_id is not None:
        _supersede_lower(step.actor, record)
    if record.source_key in SOURCES:
        source = SOURCES[record.source_key]
        obj = source.model._default_manager.filter(pk=record.object_id).first()
        if obj is not None:
            _announce(source, obj, record, True, True, bool(record.step and record.step.notify_office),
                      record.overdue_workdays)


def decide(*, actor: Any, record: EscalationRecord, confirm: bool, note: str = "") -> EscalationRecord:
    """The office confirms or dismisses a proposed step; a confirmed step notifies the responsible and
    the supervisors (in the transaction, as part of the decision). Who decided, and when, is recorded."""
    _check_office(actor)
    return transition(workflow=RECORD_TRANSITIONS, obj=record, action="confirm" if confirm else "dismiss",
                      actor=actor, note=note, check=_check_record_visible, apply=_apply_decision,
                      on_applied=_after_decision, audit_fields=DECISION_FIELDS)


def _supersede_lower(actor: Any, record: EscalationRecord) -> None:
    """Confirming a higher step (挂牌督办) settles the lower proposals still open for the same deadline
    (约谈): they are closed as not carried out, by the same decision, and say why."""
    lower = (EscalationRecord.objects
             .filter(source_key=record.source_key, object_id=record.object_id, due_date=record.due_date,
                     status=RecordStatus.PROPOSED, step__order__lt=record.step.order))
    reason = _("已由更高一级措施“%(a)s”取代") % {"a": record.get_action_display()}

    def settle(step: Step) -> None:
        step.obj.decided_by, step.obj.decided_at, step.obj.note = step.actor, record.decided_at, reason

    for other in lower:
        transition(workflow=RECORD_TRANSITIONS, obj=other, to=RecordStatus.DISMISSED, actor=actor, note=reason,
                   apply=settle, audit_action="escalation.supersede", audit_extra={"by": record.pk})


@transaction.atomic
def escalate_manually(*, actor: Any, source_key: str, obj: Any, action: str, note: str) -> EscalationRecord:
    """The office escalates an item before the ladder would (or beyond it)."""
    _check_office(actor)
    source = get_source(source_key)
    if action not in Action.values:
        raise ValidationError({"action": _("请选择督办措施。")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明督办理由。")})
    obj = _visible_object(actor, source, obj.pk)
    due = due_of(source, obj)
    if due is None:
        raise ValidationError(_("该事项没有期限，不能督办。"))
    today = timezone.localdate()
    over = workdays.workdays_between(due, today) if due < today else 0
    record = EscalationRecord.objects.create(
        source_key=source.key, object_type=source.object_type, object_id=obj.pk,
        object_title=source.title(obj)[:300], object_url=source.url(obj)[:500], step=None, action=action,
        status=RecordStatus.CONFIRMED, manual=True, created_by=actor, decided_by=actor, decided_at=timezone.now(),
        note=note, due_date=due, overdue_workdays=over, **_scope_keys(obj))
    audit.record(actor=actor, action="escalation.escalate", obj=record,
                 changes={"source": source.key, "object_id": obj.pk, "action": action, "due_date": due}, note=note)
    _announce(source, obj, record, True, True, False, over)
    return record


# -- ladder configuration by the office -------------------------------------------------------------------
STEP_FIELDS = ["order", "action", "after_workdays", "notify_responsible", "notify_supervisors", "notify_office",
               "needs_decision"]


def _ladder_state(ladder: EscalationLadder) -> dict[str, Any]:
    state = audit.snapshot(ladder, ["code", "name", "applies_to", "active"])
    state["steps"] = [[getattr(s, f) for f in STEP_FIELDS] for s in ladder.steps.order_by("order", "pk")] \
        if ladder.pk else []
    return state


@transaction.atomic
def ladder_save(*, actor: Any, ladder: EscalationLadder | None, values: dict[str, Any],
                steps: list[dict[str, Any]]) -> EscalationLadder:
    """Create or edit a ladder and replace its steps (``steps``: dicts with STEP_FIELDS and optional ``id``)."""
    _check_office(actor)
    errors: dict[str, Any] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("请填写阶梯名称。")
    if ladder is None:
        code = (values.get("code") or "").strip()
        if not code:
            errors["code"] = _("请填写代码。")
        elif EscalationLadder.objects.filter(code=code).exists():
            errors["code"] = _("代码“%(c)s”已被使用。") % {"c": code}
    applies_to = values.get("applies_to") or ""
    if applies_to and applies_to not in SOURCES:
        errors["applies_to"] = _("未知的事项类别。")
    seen: set[tuple[str, int]] = set()
    for s in steps:
        if s["action"] not in Action.values:
            errors.setdefault("__all__", []).append(_("未知的督办措施。"))
        if (s["action"], s["after_workdays"]) in seen:
            errors.setdefault("__all__", []).append(_("同一措施在同一天出现两次：%(a)s") % {
                "a": Action(s["action"]).label})
        seen.add((s["action"], s["after_workdays"]))
    if errors:
        raise ValidationError(errors)
    if ladder is None:
        ladder = EscalationLadder(code=values["code"].strip())
        before: dict[str, Any] = {}
    else:
        ladder = EscalationLadder.objects.select_for_update().get(pk=ladder.pk)
        before = _ladder_state(ladder)
    ladder.name = values["name"].strip()
    ladder.applies_to = applies_to
    ladder.active = bool(values.get("active", True))
    ladder.save()
    keep: list[int] = []
    for s in sorted(steps, key=lambda s: (s["order"], s["after_workdays"])):
        step = ladder.steps.filter(pk=s.get("id")).first() if s.get("id") else None
        step = step or EscalationStep(ladder=ladder)
        for f in STEP_FIELDS:
            setattr(step, f, s[f])
        step.save()
        keep.append(step.pk)
    ladder.steps.exclude(pk__in=keep).delete()
    after = _ladder_state(ladder)
    audit.record(actor=actor, action="escalation.ladder_save", obj=ladder, changes=audit.diff(before, after))
    return ladder
