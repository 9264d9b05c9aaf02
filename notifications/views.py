"""The inbox (消息中心): every signed-in user's own notifications, unread first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.paging import page_of
from core.scoping import get_visible_or_404
from notifications import selectors, services
from notifications.choices import Kind
from notifications.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.inbox(request.user, kind=kind, unread_only=unread_only)
    page = page_of(qs, 30, request.GET.get("page"))
    template = "notifications/inbox.html#results" if getattr(request, "htmx", False) else "notifications/inbox.html"
    return render(request, template, {
        "page": page, "objects": page.object_list, "kind": kind, "kinds": Kind.choices, "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
    })


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and follow its link (the inbox links go through here)."""
    n = get_visible_or_404(Notification.objects, request.user, pk=pk)
    services.mark_read(user=request.user, notification_ids=[n.pk])
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return redirect(n.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all") == "1":
        n = services.mark_read(user=request.user, all=True)
    else:
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        n = services.mark_read(user=request.user, notification_ids=ids)
    messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": n})
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:inbox")
