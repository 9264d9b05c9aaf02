from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.choices import Role
from core.dashboard import cards_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {}
    if user.has_business_role:
        from enterprises.models import Enterprise
        from enterprises.selectors import enterprise_counts

        context["enterprise_counts"] = enterprise_counts(Enterprise.objects.visible_to(user))
    context["cards"] = cards_for(user)
    context["is_sysadmin"] = user.has_role(Role.SYSADMIN)
    context["is_secadmin"] = user.has_role(Role.SECADMIN)
    context["is_auditadmin"] = user.has_role(Role.AUDITADMIN)
    return render(request, "core/home.html", context)


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
