"""Home-page card for an enterprise account: its own certificates, permits, inspections and plans that have
lapsed or lapse soon (by kind). Government users have the 到期提醒 page: counting a whole territory on every
home request is what the home page must not do."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from ledgers.lapsing import due_counts


def expiring_card(user: Any) -> dict[str, Any] | None:
    if not (user.enterprise_id and user.has_role(Role.ENTERPRISE)):
        return None
    rows = [row for row in due_counts(user, enterprise=user.enterprise) if row["overdue"] or row["soon"]]
    return {"rows": rows}
