"""Home-page card of the audit administrator: the change log, its export and its chain check."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role


def auditadmin_card(user: Any) -> dict[str, Any] | None:
    return {} if user.has_role(Role.AUDITADMIN) else None
