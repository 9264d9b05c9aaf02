from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Value, When

from notifications.models import Notification, NotificationQuerySet


def unread_count(user: Any) -> int:
    return Notification.objects.visible_to(user).unread().count()


def inbox(user: Any, *, kind: str = "", unread_only: bool = False) -> NotificationQuerySet:
    """The user's notifications, unread first, newest first."""
    qs = Notification.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if unread_only:
        qs = qs.unread()
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.order_by(unread_first, "-created_at", "-pk")
