"""Home-page card: today's checks first (the to-do of the one who checks), and the period's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from checks.figures import figures
from checks.selectors import todo

SHOWN = 8


def checks_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    today = timezone.localdate()
    due = todo(user, today)
    items = list(due[:SHOWN])
    total = due.count() if len(items) == SHOWN else len(items)
    start = today - dt.timedelta(days=30)
    # The 30-day figures of one's own enterprise are cheap; a county's are millions of rows a month, so government
    # accounts get the link to the figures page instead of numbers on every home page.
    f = figures(user, start, today, today=today) if user.has_role("enterprise") and user.enterprise_id else []
    return {"todo": items, "todo_total": total, "today": today, "figures": f[0] if f else None,
            "start": start}
