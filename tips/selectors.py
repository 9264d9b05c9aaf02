"""Reads of the tips app, always from ``visible_to``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tips.models import Tip


def month_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def month_figures(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """Tips received, verified and rewarded (paid) this month, in the viewer's scope: one query."""
    today = today or timezone.localdate()
    start, end = month_bounds(today)
    counts = Tip.objects.visible_to(user).aggregate(
        received=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
        verified=Count("pk", filter=Q(verified_at__gte=start, verified_at__lt=end)),
        rewarded=Count("pk", filter=Q(paid_at__gte=start, paid_at__lt=end)))
    return {**counts, "month": f"{today:%Y-%m}"}


def pending_figures(user: Any) -> dict[str, int]:
    """Tips waiting in the viewer's scope: to accept, to verify, to reply to, rewards to approve and to pay."""
    from tips.choices import TipStatus

    return Tip.objects.visible_to(user).aggregate(
        received=Count("pk", filter=Q(status=TipStatus.RECEIVED)),
        assigned=Count("pk", filter=Q(status=TipStatus.ASSIGNED)),
        verified=Count("pk", filter=Q(status=TipStatus.VERIFIED)),
        proposed=Count("pk", filter=Q(status=TipStatus.REWARD_PROPOSED)),
        approved=Count("pk", filter=Q(status=TipStatus.REWARD_APPROVED)))
