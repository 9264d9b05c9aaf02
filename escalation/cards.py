"""Home-page card: what is overdue or due soon, per deadline source, in the viewer's scope."""

from __future__ import annotations

from typing import Any

from escalation.selectors import due_summary


def due_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    from escalation.views.board import BOARD_ROLES

    rows = [row for row in due_summary(user) if row["overdue"] or row["due_soon"]]
    return {"rows": rows, "can_board": user.has_role(*BOARD_ROLES)}
