from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
