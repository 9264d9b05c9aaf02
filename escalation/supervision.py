"""督办事项: the office assigns an ad-hoc matter to a unit with a deadline; the unit reports it done;
the office closes it (销号) or returns it (the moves: ``escalation.workflow.ITEM_TRANSITIONS``). Its deadline
source on the escalation engine is ``escalation.deadline_sources``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import cn_date
from core.workflow import Step, transition
from escalation.choices import ItemEventKind, ItemStatus
from escalation.models import SupervisionEvent, SupervisionItem
from escalation.workflow import ITEM_TRANSITIONS, is_assignee
from notifications.choices import Kind
from notifications.services import notify
from orgs.models import Unit

SOURCE_KEY = "escalation.supervision"
FIELDS = ["title", "description", "assignee", "deadline", "status"]


def _check_office(actor: Any) -> None:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以交办、延期或销号督办事项。"))


def _check_visible(actor: Any, item: SupervisionItem) -> None:
    if not SupervisionItem.objects.visible_to(actor).filter(pk=item.pk).exists():
        raise PermissionDenied(_("该督办事项不在您的管辖范围内。"))


def _event(item: SupervisionItem, kind: str, actor: Any, note: str = "") -> SupervisionEvent:
    return SupervisionEvent.objects.create(item=item, kind=kind, actor=actor, note=note)


def _check_assignee(actor: Any, assignee: Unit) -> None:
    if not assignee.active:
        raise ValidationError({"assignee": _("承办单位已停用。")})
    if actor is not None:
        from core.scoping import scope_for

        if not scope_for(actor).covers_path(assignee.jurisdiction_path):
            raise ValidationError({"assignee": _("承办单位不在您的管辖范围内。")})


@transaction.atomic
def item_assign(*, actor: Any, title: str, assignee: Unit, deadline: dt.date, description: str = "",
                today: dt.date | None = None) -> SupervisionItem:
    _check_office(actor)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("请填写督办事项。")
    if deadline is None:
        errors["deadline"] = _("请填写办结期限。")
    elif deadline < (today or timezone.localdate()):
        errors["deadline"] = _("办结期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    _check_assignee(actor, assignee)
    item = SupervisionItem.objects.create(
        title=title[:200], description=description.strip(), assignee=assignee,
        jurisdiction_path=assignee.jurisdiction_path, deadline=deadline, original_deadline=deadline,
        assigned_by=actor, assigning_unit=getattr(actor, "unit", None))
    _event(item, ItemEventKind.ASSIGNED, actor, description.strip())
    audit.record(actor=actor, action="escalation.item_assign", obj=item, changes=audit.diff({}, audit.snapshot(item, FIELDS)))
    _check_visible(actor, item)
    notify(title=_("新的督办事项：%(t)s") % {"t": item.title},
           body=_("%(u)s交办督办事项“%(t)s”，办结期限 %(d)s。%(desc)s") % {
               "u": item.assigning_unit or _("安委办"), "t": item.title, "d": cn_date(deadline),
               "desc": item.description},
           url=item_url(item), kind=Kind.INFO, units=[assignee], obj=item, source_key=SOURCE_KEY)
    return item


@transaction.atomic
def item_extend(*, actor: Any, item: SupervisionItem, deadline: dt.date, note: str) -> SupervisionItem:
    """A new deadline (both kept: the original stays in ``original_deadline`` and in the events)."""
    _check_office(actor)
    item = SupervisionItem.objects.select_for_update().get(pk=item.pk)
    _check_visible(actor, item)
    if item.status == ItemStatus.CLOSED:
        raise ValidationError(_("已销号的督办事项不能延期。"))
    if deadline is None or deadline <= item.deadline:
        raise ValidationError({"deadline": _("新的期限应晚于现有期限 %(d)s。") % {"d": cn_date(item.deadline)}})
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明延期理由。")})
    before = audit.snapshot(item, FIELDS)
    old = item.deadline
    item.deadline = deadline
    item.save(update_fields=["deadline"])
    _event(item, ItemEventKind.EXTENDED, actor, _("期限由 %(a)s 延至 %(b)s：%(n)s") % {
        "a": cn_date(old), "b": cn_date(deadline), "n": note.strip()})
    audit.record(actor=actor, action="escalation.item_extend", obj=item, changes=audit.diff(before, audit.snapshot(item, FIELDS)),
                 note=note.strip())
    return item


_EVENT_KIND = {"report": ItemEventKind.DONE, "close": ItemEventKind.CLOSED, "return": ItemEventKind.RETURNED}


def _apply_item_move(step: Step) -> None:
    item = step.obj
    if step.action == "report":
        item.done_at = step.now
    else:
        item.closed_at = step.now if step.action == "close" else None
        if step.action == "return":
            item.done_at = None


def _item_moved(step: Step) -> None:
    item = step.obj
    if step.action == "report":
        if item.assigned_by_id:
            notify(title=_("督办事项已报告办结：%(t)s") % {"t": item.title}, body=step.note, url=item_url(item),
                   kind=Kind.INFO, users=[item.assigned_by], obj=item, source_key=SOURCE_KEY)
        return
    notify(title=(_("督办事项已销号：%(t)s") if step.action == "close" else _("督办事项被退回：%(t)s")) % {
        "t": item.title}, body=step.note, url=item_url(item), kind=Kind.INFO, units=[item.assignee], obj=item,
        source_key=SOURCE_KEY)


def _move_item(*, actor: Any, item: SupervisionItem, action: str, note: str) -> SupervisionItem:
    # The notifications go out in the transaction, as part of the move (as they always have).
    return transition(workflow=ITEM_TRANSITIONS, obj=item, action=action, actor=actor, note=note,
                      check=_check_visible, apply=_apply_item_move, audit_fields=FIELDS, on_applied=_item_moved,
                      event=lambda step: _event(step.obj, _EVENT_KIND[step.action], step.actor, step.note))


def item_report_done(*, actor: Any, item: SupervisionItem, note: str) -> SupervisionItem:
    if not is_assignee(actor, item):
        raise PermissionDenied(_("只有承办单位可以报告办结。"))
    return _move_item(actor=actor, item=item, action="report", note=note)


def item_review(*, actor: Any, item: SupervisionItem, accept: bool, note: str = "") -> SupervisionItem:
    """The office closes (销号) a reported item, or returns it to the unit with a reason."""
    _check_office(actor)
    return _move_item(actor=actor, item=item, action="close" if accept else "return", note=note)


def item_url(item: SupervisionItem) -> str:
    return reverse("escalation:item_detail", args=[item.pk])
