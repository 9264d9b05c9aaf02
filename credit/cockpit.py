"""The credit panel of the cockpit: the credit classes of the enterprises the reader may see, each a link to the
enterprise credit list filtered by that class (the same counts as the home card)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import COCKPIT_ROLES
from core.dashboard import Figure
from credit.cards import credit_card
from credit.choices import CreditClass


def credit_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    card = credit_card(user)
    if card is None:
        return None
    base = reverse("credit:list")
    return {"title": _("企业信用等级"), "figures": [
        Figure(row["label"], row["count"], f"{base}?klass={row['value']}",
               "danger" if row["value"] == CreditClass.D else "", key=f"class_{row['value'].lower()}")
        for row in card["classes"]]}
