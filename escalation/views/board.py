"""督办台: what is overdue or due soon across every deadline source, pending decisions, history."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.filters import parse_id
from core.listing import ScopedListView
from core.paging import page_of
from core.permissions import roles_required
from core.scoping import get_visible_or_404
from escalation import selectors, services
from escalation.choices import BOARD_ROLES, Action, RecordStatus
from escalation.filters import DecisionFilter
from escalation.forms import DecideForm, EscalateForm
from escalation.models import EscalationRecord
from escalation.registry import SOURCES
from workdays import services as workdays


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class BoardView(ScopedListView):
    """The board: the due summary per source, then the pending decisions, paged and filtered by kind, measure
    and unit, with one form to decide many at once (``decide_batch``), then the latest records."""

    model = EscalationRecord
    filterset_class = DecisionFilter
    template_name = "escalation/board.html"
    roles: ClassVar[tuple[str, ...]] = BOARD_ROLES
    paginate_by = 20
    # A pending row may cost a probe to count (its item's visibility beyond the record's copied keys): counted to a
    # thousand — decisions go at most 200 at a time — and "1,000+" beyond.
    count_cap = 1000

    def base_queryset(self) -> QuerySet:
        return selectors.pending_decisions(self.request.user)

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        user, today = self.request.user, timezone.localdate()
        summary = selectors.due_summary(user, today=today)
        kwargs.update({
            "today": today, "summary": summary, "recent": list(selectors.record_history(user)[:10]),
            "is_office": user.has_role(Role.OFFICE), "calendar_note": workdays.calendar_note(today),
            "pending_count": min(kwargs["page"].paginator.count, kwargs["page"].paginator.cap),
            "pending_capped": kwargs["page"].paginator.capped,
            "filtered": any(self.request.GET.get(k) for k in ("source", "action", "unit")),
            "counted_at": min((s["counted_at"] for s in summary if s["counted_at"]), default=None),
            "totals": {"overdue": sum(s["overdue"] for s in summary),
                       "due_soon": sum(s["due_soon"] for s in summary)},
        })
        return kwargs


board = BoardView.as_view()


@roles_required(Role.OFFICE)
@require_POST
def decide_batch(request: HttpRequest) -> HttpResponse:
    """One decision and one note for the selected pending steps, all or nothing. An id that is not a
    number, does not exist or lies outside the office's reach refuses the whole batch as not found."""
    raw = request.POST.getlist("ids")
    ids = [parse_id(v) for v in raw]
    if any(i is None for i in ids):
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("confirm", "dismiss"):
        messages.error(request, _("请选择“确认执行”或“不予执行”。"))
        return redirect(_safe_next(request) or "escalation:board")
    confirm = decision == "confirm"
    note = request.POST.get("note", "")[:2000]
    try:
        done = services.decide_many(actor=request.user, record_ids=ids, confirm=confirm, note=note)
    except PermissionDenied:
        raise Http404 from None
    except services.BatchRefused as exc:
        messages.error(request, ngettext("未作任何决定：%(n)s 项不能按此决定，请处理后重试。",
                                         "未作任何决定：%(n)s 项不能按此决定，请处理后重试。",
                                         len(exc.refusals)) % {"n": len(exc.refusals)})
        for refusal in exc.refusals:
            messages.warning(request, _("%(t)s：%(r)s") % {"t": refusal.title, "r": refusal.reason})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, (ngettext("已确认执行 %(n)s 项督办措施。", "已确认执行 %(n)s 项督办措施。", len(done))
                                   if confirm else
                                   ngettext("已决定 %(n)s 项督办措施不予执行。", "已决定 %(n)s 项督办措施不予执行。",
                                            len(done))) % {"n": len(done)})
    return redirect(_safe_next(request) or "escalation:board")


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
