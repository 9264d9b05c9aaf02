"""Session security: idle time-out, account state and forced password change (等保 2.0 身份鉴别 a, b)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import SecurityPolicy, User

# While the password must be changed, only these are served: the change itself, logging out, assets.
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/login/", "/accounts/logout/", "/accounts/password/")


class SessionSecurityMiddleware:
    """Checks every signed-in request against the user's current state (User.credential_state).

    A locked or disabled account is signed out at its next request (its sessions are also cut off by
    the session generation the lock raised); an expired or initial password allows only the
    change-password page and logout. API tokens get the same verdict in accounts.api_auth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        policy = SecurityPolicy.current()
        now = time.time()
        last = request.session.get("anzhi_last_seen")
        if last is not None and now - float(last) > policy.idle_timeout_minutes * 60:
            minutes = policy.idle_timeout_minutes
            return self._sign_out(request, user, reason=_("会话超时自动退出"), api_message=_("会话已超时，请重新登录。"),
                                  page_message=_("您已 %(n)d 分钟无操作，已自动退出，请重新登录。") % {"n": minutes})
        state = user.credential_state(policy)
        if state is not None and state.ends_session:
            return self._sign_out(request, user, reason=state.label, api_message=state.refusal,
                                  page_message=state.refusal, error=True)
        if last is None or now - float(last) > 30:
            # Touch the session at most every 30 s: enough for minute-grained time-outs, and it
            # spares a session write on every request.
            request.session["anzhi_last_seen"] = now
        if state is not None and not request.path.startswith(EXEMPT_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": state.refusal}, status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, user: User, *, reason: str, api_message: str, page_message: str,
                  error: bool = False) -> HttpResponse:
        from accounts.services import logout_record
        from core.audit import Source, audit_context
        from core.net import client_ip

        # This runs before core's AuditContextMiddleware, so it opens its own context.
        with audit_context(source=Source.WEB, actor=user, ip=client_ip(request)):
            logout_record(user=user, reason=str(reason))
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": api_message}, status=401)
        (messages.error if error else messages.info)(request, page_message)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
