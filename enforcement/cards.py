"""Home-page card of a department (and its inspectors): this month's inspections — planned, done — and draws."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.choices import Role
from enforcement.choices import DrawStatus, InspectionStatus
from enforcement.filters import month_range
from enforcement.models import Draw, Inspection


def month_card(user: Any) -> dict[str, Any] | None:
    if not user.has_role(Role.REGULATOR, Role.INSPECTOR):
        return None
    month = timezone.localdate().strftime("%Y-%m")
    start, end = month_range(month)  # type: ignore[misc]
    inspections = Inspection.objects.visible_to(user).filter(planned_date__gte=start, planned_date__lt=end).aggregate(
        planned=Count("pk"), waiting=Count("pk", filter=Q(status=InspectionStatus.PLANNED)),
        closed=Count("pk", filter=Q(status=InspectionStatus.CLOSED)))
    draws = Draw.objects.visible_to(user).filter(status=DrawStatus.DRAWN, drawn_at__date__gte=start,
                                                 drawn_at__date__lt=end).count()
    return {"month": month, "start": start, "inspections": inspections, "draws": draws}
