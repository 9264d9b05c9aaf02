"""Home-page card: the enterprises in the viewer's scope, in all and by industry domain."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.selectors import enterprise_counts


def enterprise_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    return {"counts": enterprise_counts(Enterprise.objects.visible_to(user))}
