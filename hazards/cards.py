"""Home-page card: the hazard figures in the viewer's scope (from the maintained counts), each a link to the
hazards behind it."""

from __future__ import annotations

from typing import Any

from hazards.selectors import figures_for


def hazard_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    return {"figures": figures_for(user)}
