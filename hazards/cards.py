"""Home-page card: the hazard figures in the viewer's scope (from the maintained counts), each a link to the
hazards behind it."""

from __future__ import annotations

from typing import Any

from hazards.models import Hazard
from hazards.selectors import figures_for


def hazard_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    return {"figures": figures_for(user)}


def department_hazard_card(user: Any) -> dict[str, Any] | None:
    """A department's hazards first: those awaiting its acceptance (申请验收, it supervises) and the open major hazards
    it supervises; the domain's figures follow in the hazards card."""
    from django.db.models import Count, Q

    from accounts.choices import Role
    from hazards.choices import OPEN_STATUSES, Grade, Status

    if not user.has_role(Role.REGULATOR) or not user.unit_id:
        return None
    counts = Hazard.objects.visible_to(user).filter(supervisor_unit_id=user.unit_id).aggregate(
        acceptance=Count("pk", filter=Q(status=Status.APPLIED)),
        major=Count("pk", filter=Q(grade=Grade.MAJOR, status__in=OPEN_STATUSES)))
    return {"counts": counts, "unit_id": user.unit_id}
