"""Home-page card: tips received, verified and rewarded this month in the viewer's scope, each a link."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from tips.selectors import month_figures


def tip_card(user: Any) -> dict[str, Any] | None:
    if not user.has_role(Role.OFFICE, Role.TOWNSHIP):
        return None
    return {"figures": month_figures(user)}
