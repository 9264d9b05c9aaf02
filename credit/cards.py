"""Home-page card: the credit classes of the enterprises the reader may see, each a link to the filtered list."""

from __future__ import annotations

from typing import Any

from accounts.choices import Role
from credit.choices import CreditClass
from credit.selectors import distribution_for

ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)


def credit_card(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*ROLES):
        return None
    # The stored classes summed from the maintained counts, never the events of every enterprise in scope.
    counts = distribution_for(user)
    return {"classes": [{"value": k.value, "label": k.label, "count": counts[k.value]} for k in CreditClass],
            "total": sum(counts.values())}
