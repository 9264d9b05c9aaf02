"""Home-page card: the enterprises in the viewer's scope, in all and by industry domain; for an enterprise
account, its own enterprise with the shortcuts of its daily work (登记隐患, 排查, 风险, 台账)."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_counts_for


def enterprise_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    if user.enterprise_id and user.has_role(Role.ENTERPRISE):
        own = (Enterprise.objects.visible_to(user).filter(pk=user.enterprise_id)
               .select_related("jurisdiction").prefetch_related("domains").first())
        if own is not None:
            return {"own": own}
    # From the maintained counts (enterprises.tally), never an aggregate over the whole scope.
    return {"counts": enterprise_counts_for(user)}
