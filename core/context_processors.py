from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset(), "nav_items": []}
    return {"nav_roles": user.role_set, "nav_items": nav_for(user, request.path)}
