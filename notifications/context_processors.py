from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def unread(request: HttpRequest) -> dict[str, Any]:
    """``notifications_unread``: the signed-in user's unread count, computed only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    from notifications.selectors import unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
