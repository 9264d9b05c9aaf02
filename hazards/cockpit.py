"""The hazards panel of the cockpit (领导驾驶舱): the figures of what the viewer sees, from the maintained counts
(``selectors.figures_for``, equal to ``figures`` over ``visible_to``), each a link to the hazard list filtered by the
same rule (``selectors.FIGURE_FILTERS``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import COCKPIT_ROLES
from core.dashboard import Figure
from hazards.selectors import FIGURE_FILTERS, figures_for


def hazard_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    f = figures_for(user)
    base = reverse("hazards:list")

    def link(key: str) -> str:
        return f"{base}?{urlencode(FIGURE_FILTERS[key])}"

    rate = f"{f.rectification_rate}%" if f.rectification_rate is not None else "—"
    on_time = f"{f.on_time_rate}%" if f.on_time_rate is not None else "—"
    return {"title": _("隐患排查治理"), "figures": [
        Figure(_("隐患总数"), f.total, link("total"), key="total"),
        Figure(_("未销号"), f.open, link("open"), key="open"),
        Figure(_("超期未整改"), f.overdue, link("overdue"), "danger", key="overdue"),
        Figure(_("已整改"), f.done, link("done"), key="done"),
        Figure(_("重大隐患"), f.major, link("major"), key="major"),
        Figure(_("重大隐患未销号"), f.major_open, link("major_open"), "danger", key="major_open"),
        Figure(_("整改率"), rate, reverse("hazards:dashboard"), key="rate"),
        Figure(_("按期整改率"), on_time, link("on_time"), key="on_time"),
    ]}
