"""Home-page cards of the system and security administrators: what their role does, and where."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role


def sysadmin_card(user: Any) -> dict[str, Any] | None:
    return {} if user.has_role(Role.SYSADMIN) else None


def secadmin_card(user: Any) -> dict[str, Any] | None:
    return {} if user.has_role(Role.SECADMIN) else None
