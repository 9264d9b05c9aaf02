"""Reads of the checks app, always from ``visible_to``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from checks.models import DueCheck

OVERDUE_SHOWN_DAYS = 7


def todo(user: Any, today: dt.date | None = None) -> QuerySet:
    """The checks a user should do now: open due checks whose period holds today, then those missed in the last
    week (a late check still counts, as late). An enterprise account sees its enterprise's; a government account
    the ones its own unit is to run."""
    today = today or timezone.localdate()
    qs = DueCheck.objects.visible_to(user).filter(run__isnull=True, plan__active=True).filter(
        Q(period_start__lte=today, due_on__gte=today)
        | Q(due_on__lt=today, due_on__gte=today - dt.timedelta(days=OVERDUE_SHOWN_DAYS)))
    if not (user.has_role("enterprise") and user.enterprise_id):
        qs = qs.filter(plan__unit_id=user.unit_id) if user.unit_id else qs.none()
    return qs.select_related("plan", "plan__checklist", "enterprise", "premises", "risk_point").order_by(
        "due_on", "shift", "pk")
