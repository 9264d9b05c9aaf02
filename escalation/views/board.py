"""督办台: what is overdue or due soon across every deadline source, pending decisions, history."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.paging import page_of
from core.permissions import roles_required
from core.scoping import get_visible_or_404
from escalation import selectors, services
from escalation.choices import BOARD_ROLES, Action, RecordStatus
from escalation.forms import DecideForm, EscalateForm
from escalation.models import EscalationRecord
from escalation.registry import SOURCES
from workdays import services as workdays


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@roles_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    summary = selectors.due_summary(request.user, today=today)
    pending = selectors.pending_decisions(request.user)
    recent = selectors.record_history(request.user)[:15]
    return render(request, "escalation/board.html", {
        "today": today, "summary": summary, "pending": pending[:50], "pending_count": pending.count(),
        "recent": recent, "is_office": request.user.has_role(Role.OFFICE),
        "calendar_note": workdays.calendar_note(today),
        "totals": {"overdue": sum(s["overdue"] for s in summary), "due_soon": sum(s["due_soon"] for s in summary)},
    })


@roles_required(*BOARD_ROLES)
def items(request: HttpRequest, source_key: str) -> HttpResponse:
    source = SOURCES.get(source_key)
    if source is None:
        raise Http404
    today = timezone.localdate()
    which = request.GET.get("which", "overdue")
    if which == "soon":
        qs = selectors.due_soon_items(request.user, source_key, today=today)
    else:
        which = "overdue"
        qs = selectors.overdue_items(request.user, source_key, today=today)
    page = page_of(qs, 50, request.GET.get("page"))
    objs = list(page.object_list)
    latest = selectors.latest_records(source_key, [o.pk for o in objs])
    rows = []
    for obj in objs:
        due = services.due_of(source, obj)
        rows.append({
            "obj": obj, "title": source.title(obj), "url": source.url(obj), "due": due,
            "over": workdays.workdays_between(due, today) if due and due < today else 0,
            "left": workdays.workdays_between(today, due) if due and due >= today else 0,
            "record": latest.get((obj.pk, due)), "note": workdays.calendar_note(due) if due else "",
        })
    return render(request, "escalation/items.html", {
        "source": source, "which": which, "page": page, "rows": rows, "today": today,
        "is_office": request.user.has_role(Role.OFFICE), "escalate_form": EscalateForm(),
    })


@roles_required(Role.OFFICE)
@require_POST
def escalate(request: HttpRequest, source_key: str, object_id: int) -> HttpResponse:
    source = SOURCES.get(source_key)
    if source is None:
        raise Http404
    obj = get_visible_or_404(source.model.objects, request.user, pk=object_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            record = services.escalate_manually(actor=request.user, source_key=source_key, obj=obj,
                                                action=form.cleaned_data["action"], note=form.cleaned_data["note"])
            messages.success(request, _("已对“%(t)s”%(a)s。") % {"t": record.object_title,
                                                                 "a": record.get_action_display()})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请选择督办措施并填写理由。"))
    return redirect(_safe_next(request) or "escalation:board")


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@roles_required(*BOARD_ROLES)
def records(request: HttpRequest) -> HttpResponse:
    qs = selectors.record_history(request.user)
    status = request.GET.get("status", "")
    action = request.GET.get("action", "")
    source_key = request.GET.get("source", "")
    if status in RecordStatus.values:
        qs = qs.filter(status=status)
    if action in Action.values:
        qs = qs.filter(action=action)
    if source_key in SOURCES:
        qs = qs.filter(source_key=source_key)
    day = _parse_day(request.GET.get("date", ""))
    if day is not None:  # the link of the sweep's daily digest: the records filed that day
        qs = qs.filter(created_at__date=day)
    page = page_of(qs, 50, request.GET.get("page"))
    objects = list(page.object_list)
    for r in objects:
        r.source_label = SOURCES[r.source_key].label if r.source_key in SOURCES else r.source_key
    return render(request, "escalation/records.html", {
        "page": page, "objects": objects, "statuses": RecordStatus.choices, "actions": Action.choices,
        "sources": [(k, s.label) for k, s in SOURCES.items()],
        "status": status, "action": action, "source": source_key, "date": day.isoformat() if day else "",
        "is_office": request.user.has_role(Role.OFFICE),
    })


@roles_required(Role.OFFICE)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(EscalationRecord.objects, request.user, pk=pk)
    form = DecideForm(request.POST)
    form.is_valid()
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.decide(actor=request.user, record=record, confirm=confirm, note=form.cleaned_data.get("note", ""))
        messages.success(request, (_("已确认%(a)s：%(t)s") if confirm else _("已决定不予%(a)s：%(t)s")) % {
            "a": record.get_action_display(), "t": record.object_title})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(_safe_next(request) or "escalation:board")




def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    return nxt if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else ""
