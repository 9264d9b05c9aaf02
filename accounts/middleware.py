"""Session security: idle time-out and forced password change (等保 2.0 身份鉴别 a, b)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import SecurityPolicy

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/login/", "/accounts/logout/", "/accounts/password/")


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            policy = SecurityPolicy.current()
            now = time.time()
            last = request.session.get("anzhi_last_seen")
            if last is not None and now - float(last) > policy.idle_timeout_minutes * 60:
                from accounts.services import logout_record
                from core.audit import Source, audit_context
                from core.net import client_ip

                with audit_context(source=Source.WEB, actor=user, ip=client_ip(request)):
                    logout_record(user=user, reason=_("会话超时自动退出"))
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已超时，请重新登录。")}, status=401)
                messages.info(request, _("您已 %(n)d 分钟无操作，已自动退出，请重新登录。") % {"n": policy.idle_timeout_minutes})
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if last is None or now - float(last) > 30:
                # Touch the session at most every 30 s: enough for minute-grained time-outs, and it
                # spares a session write on every request.
                request.session["anzhi_last_seen"] = now
            if not request.path.startswith(EXEMPT_PREFIXES) and (
                user.must_change_password or user.password_expired(policy)
            ):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先在网页上修改初始密码或已过期的密码。")}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)
