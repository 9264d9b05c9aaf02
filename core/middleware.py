from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from core.audit import Source, audit_context
from core.net import client_ip


class AuditContextMiddleware:
    """Every request runs inside an audit context: web pages as 'web', /api/ as 'api'."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        with audit_context(source=source, ip=client_ip(request), request=request):
            return self.get_response(request)


class NulQueryMiddleware:
    """Refuse a query string carrying a NUL character with a 400.

    No parameter of the platform can contain one, and PostgreSQL cannot compare text with it: a NUL
    reaching a hand-read parameter (``?source=%00``) would be a 500 there (DataError), while SQLite
    just finds nothing. FilterSets and forms refuse NUL themselves; this covers every other reader."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and any(
                "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            message = _("查询参数含有空字符（NUL），请求无效。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
