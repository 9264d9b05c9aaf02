from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from core.dashboard import cards_for, panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Every figure and every role's box on the home page is a card its app registers (core.dashboard).
    return render(request, "core/home.html", {"cards": cards_for(request.user)})


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    """领导驾驶舱: the panels other apps register (core.dashboard.register_panel), each cut to the viewer's scope. A
    user for whom no panel has figures (an enterprise, a system account) is refused."""
    panels = panels_for(request.user)
    if not panels:
        raise PermissionDenied
    return render(request, "core/cockpit.html", {"panels": panels, "today": timezone.localdate()})


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Last resort when even 500.html cannot be rendered (a broken template engine or translation catalogue).
SERVER_ERROR_FALLBACK = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>系统出错</title></head><body>'
    "<h1>系统出错了，本次操作没有完成</h1><p>错误已记入系统日志。请稍后重试；如果反复出现，请联系系统管理员。</p>"
    '<p><a href="/">回到首页</a></p></body></html>'
)

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the Chinese error page, rendered without the request, the database or the static manifest.

    Any of those may be what failed, so the page gets only plain values: the static prefix (files are
    also served under their unhashed names) and the home address."""
    try:
        try:
            home_url = reverse("core:home")
        except Exception:  # a broken URL configuration must not hide the error page
            home_url = "/"
        context = {"static_prefix": settings.STATIC_URL, "home_url": home_url,
                   "when": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")}
        body = loader.get_template(template_name).render(context)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        body = SERVER_ERROR_FALLBACK
    return HttpResponseServerError(body)
