"""Pages of the credit module. Every read starts from ``visible_to``; out of scope is 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.export import download, file_response
from core.forms import add_service_message
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from credit import exports, rules, services
from credit.choices import BlacklistStatus, CreditClass, RepairStatus
from credit.filters import BlacklistFilter, CreditEnterpriseFilter
from credit.forms import (
    BLACKLIST_MOVE_FORMS,
    REPAIR_MOVE_FORMS,
    EventForm,
    ProposeForm,
    RepairForm,
    RevokeForm,
)
from credit.models import BlacklistEntry, CreditEvent, RepairApplication
from credit.selectors import annotate_credit, distribution_for, standing
from credit.workflow import BLACKLIST_TRANSITIONS, REPAIR_TRANSITIONS
from enterprises.models import Enterprise

GOVERNMENT = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
RECORDERS = (Role.OFFICE, Role.REGULATOR, Role.INSPECTOR)
DECIDERS = (Role.OFFICE, Role.REGULATOR)


def _refused(request: HttpRequest, form: Any) -> None:
    messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
        str(e) for errs in form.errors.values() for e in errs)})


class CreditListView(ScopedListView):
    """The enterprises by credit class (安委办, departments, townships, inspectors)."""

    model = Enterprise
    filterset_class = CreditEnterpriseFilter
    template_name = "credit/list.html"
    roles = GOVERNMENT
    # Worst class first, by the stored class (an index walk); a sort by the score computed from the events would
    # aggregate every enterprise in scope (3 s for the office at 1,000,000 enterprises).
    sort_fields = {"class": "credit_class", "name": "name"}
    default_sort = "-class"

    def base_queryset(self) -> QuerySet:
        return annotate_credit(Enterprise.objects.visible_to(self.request.user), timezone.localdate())

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("jurisdiction")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        for e in kwargs["objects"]:
            e.credit_class = CreditClass(e.credit_class)  # the stored class the filter and the counts use
        counts = distribution_for(self.request.user)
        kwargs["classes"] = [{"value": k.value, "label": k.label, "count": counts[k.value]} for k in CreditClass]
        kwargs["rule_floors"] = rules.CLASS_FLOORS
        return kwargs


class BlacklistListView(ScopedListView):
    model = BlacklistEntry
    filterset_class = BlacklistFilter
    template_name = "credit/blacklist_list.html"
    roles = GOVERNMENT

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise", "department")


def _enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return get_visible_or_404(Enterprise.objects.visible_to(request.user), request.user, pk=pk)


def _in_own_scope(user: Any, enterprise: Enterprise) -> bool:
    return Enterprise.objects.visible_to(user, grants=False).filter(pk=enterprise.pk).exists()


@business_required
def enterprise_credit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    user = request.user
    today = timezone.localdate()
    info = standing(enterprise, today)
    events = list(CreditEvent.objects.visible_to(user).filter(enterprise=enterprise)
                  .select_related("department", "repair")[:500])
    for e in events:
        e.live = rules.counts(e, today)
    entries = BlacklistEntry.objects.visible_to(user).filter(enterprise=enterprise).select_related("department")
    applications = (RepairApplication.objects.visible_to(user).filter(enterprise=enterprise)
                    .prefetch_related("events"))
    own = _in_own_scope(user, enterprise)
    negative_live = CreditEvent.objects.filter(enterprise=enterprise, points__lt=0, revoked_at__isnull=True,
                                               repaired_at__isnull=True, expires_on__gt=today)
    return render(request, "credit/enterprise.html", {
        "enterprise": enterprise, "info": info, "events": events, "entries": entries, "applications": applications,
        "today": today, "rule_floors": rules.CLASS_FLOORS, "risk_floor": info.risk_floor,
        "event_form": EventForm() if own and user.has_role(*RECORDERS) else None,
        "propose_form": ProposeForm(events=negative_live) if own and user.has_role(*DECIDERS) else None,
        "repair_form": RepairForm(events=negative_live, entries=entries.filter(status=BlacklistStatus.LISTED))
        if user.has_role(Role.ENTERPRISE) and user.enterprise_id == enterprise.pk else None,
        "can_recompute": own and user.has_role(*RECORDERS),
    })


def _post_form(request: HttpRequest, enterprise: Enterprise, form: Any, write: Any, done: str,
               back: bool = False) -> HttpResponse:
    """Write through the service; back to the enterprise's credit page (``back``) or on to the new object's page."""
    if not form.is_valid():
        _refused(request, form)
        return redirect("credit:enterprise", pk=enterprise.pk)
    try:
        obj = write(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
        return redirect("credit:enterprise", pk=enterprise.pk)
    messages.success(request, done)
    url = None if back else getattr(obj, "get_absolute_url", None)
    return redirect(url() if url else "credit:enterprise", *([] if url else [enterprise.pk]))


@require_POST
@roles_required(*RECORDERS)
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    return _post_form(request, enterprise, EventForm(request.POST), lambda d: services.event_register(
        actor=request.user, enterprise=enterprise, **d), _("已登记信用事件。"), back=True)


@require_POST
@roles_required(*DECIDERS)
def blacklist_propose(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    form = ProposeForm(request.POST, events=CreditEvent.objects.visible_to(request.user).filter(enterprise=enterprise))
    return _post_form(request, enterprise, form, lambda d: services.blacklist_propose(
        actor=request.user, enterprise=enterprise, **d), _("已提出拟列入，请告知企业并听取陈述申辩后认定。"))


@require_POST
@roles_required(Role.ENTERPRISE)
def repair_apply(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    form = RepairForm(request.POST, events=CreditEvent.objects.visible_to(request.user).filter(enterprise=enterprise),
                      entries=BlacklistEntry.objects.visible_to(request.user).filter(enterprise=enterprise))
    return _post_form(request, enterprise, form, lambda d: services.repair_apply(
        actor=request.user, enterprise=enterprise, **d), _("已提交信用修复申请。"))


@require_POST
@roles_required(*RECORDERS)
def recompute(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    try:
        added = services.recompute(actor=request.user, enterprise=enterprise)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已更新，新增信用事件 %(n)s 条。") % {"n": sum(added.values())})
    return redirect("credit:enterprise", pk=enterprise.pk)


@business_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_visible_or_404(CreditEvent.objects.visible_to(request.user).select_related("enterprise", "department"),
                               request.user, pk=pk)
    can_revoke = (event.source_key.startswith("manual:") and event.revoked_at is None
                  and request.user.has_role(*DECIDERS) and _in_own_scope(request.user, event.enterprise))
    return render(request, "credit/event.html", {
        "event": event, "live": rules.counts(event, timezone.localdate()),
        "revoke_form": RevokeForm() if can_revoke else None,
        "history": ChangeEvent.objects.for_object(event)[:100]})


@require_POST
@roles_required(*DECIDERS)
def event_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_visible_or_404(CreditEvent.objects.visible_to(request.user), request.user, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
    else:
        try:
            services.event_revoke(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_message(request, exc)
        else:
            messages.success(request, _("已撤销。"))
    return redirect("credit:event", pk=event.pk)


@business_required
def blacklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(BlacklistEntry.objects.visible_to(request.user)
                               .select_related("enterprise", "department", "event", "proposed_by", "decided_by"),
                               request.user, pk=pk)
    moves = [{"move": move, "form": BLACKLIST_MOVE_FORMS[move.action]()}
             for _to, move in BLACKLIST_TRANSITIONS.allowed(request.user, entry)]
    return render(request, "credit/blacklist_detail.html", {
        "entry": entry, "moves": moves, "live": entry.live_on(timezone.localdate()),
        "history": ChangeEvent.objects.for_object(entry)[:100]})


@require_POST
@roles_required(*DECIDERS)
def blacklist_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = get_visible_or_404(BlacklistEntry.objects.visible_to(request.user), request.user, pk=pk)
    if action not in BLACKLIST_MOVE_FORMS:
        raise Http404
    form = BLACKLIST_MOVE_FORMS[action](request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("credit:blacklist_detail", pk=entry.pk)
    data = dict(form.cleaned_data)
    note = data.pop("note", "") or ""
    try:
        services.blacklist_transition(actor=request.user, entry=entry, action=action, note=note, **data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("credit:blacklist_detail", pk=entry.pk)


@business_required
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_visible_or_404(RepairApplication.objects.visible_to(request.user)
                                     .select_related("enterprise", "blacklist_entry", "decided_unit"),
                                     request.user, pk=pk)
    moves = [{"move": move, "form": REPAIR_MOVE_FORMS[move.action]()}
             for _to, move in REPAIR_TRANSITIONS.allowed(request.user, application)]
    conditions = (services.repair_conditions(application, timezone.localdate())
                  if application.status == RepairStatus.SUBMITTED else [])
    return render(request, "credit/repair_detail.html", {
        "application": application, "moves": moves, "conditions": conditions,
        "events": application.events.all(), "history": ChangeEvent.objects.for_object(application)[:100]})


@require_POST
@roles_required(*DECIDERS)
def repair_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_visible_or_404(RepairApplication.objects.visible_to(request.user), request.user, pk=pk)
    if action not in REPAIR_MOVE_FORMS:
        raise Http404
    form = REPAIR_MOVE_FORMS[action](request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("credit:repair_detail", pk=application.pk)
    note = form.cleaned_data.get("note", "") or ""
    try:
        services.repair_transition(actor=request.user, application=application, action=action, note=note)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("credit:repair_detail", pk=application.pk)


@roles_required(*GOVERNMENT)
@download("xlsx")
def joint_export(request: HttpRequest) -> HttpResponse:
    """The 严重失信主体名单 in the joint-punishment (联合惩戒) shape for other departments."""
    rows = (BlacklistEntry.objects.visible_to(request.user).filter(status=BlacklistStatus.LISTED,
                                                                   expires_on__gt=timezone.localdate())
            .select_related("enterprise", "department").order_by("-listed_on", "pk"))
    return file_response(exports.joint_punishment_xlsx(rows), exports.FILENAME)
