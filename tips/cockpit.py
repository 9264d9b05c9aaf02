"""The tips panel of the cockpit: this month's tips received, verified and rewarded, and what waits at each step,
counted through ``visible_to``, each a link to the tip list filtered the same way.

Counted directly, no maintained count: tips are few by nature (a county receives hundreds a year, not millions), so
one aggregate over the scope's tips stays small at province size; a daily rollup like ``checks.rollup`` is what it
would take if they were not (bench/README.md, "Dashboards at province size")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import COCKPIT_ROLES
from core.dashboard import Figure
from tips.choices import TipStatus
from tips.selectors import month_figures, pending_figures


def tip_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    month, pending = month_figures(user), pending_figures(user)
    base = reverse("tips:list")

    def link(**query: str) -> str:
        return f"{base}?{urlencode(query)}"

    return {"title": _("群众举报（本月 %(m)s）") % {"m": month["month"]}, "figures": [
        Figure(_("本月收到"), month["received"], link(received=month["month"]), key="received"),
        Figure(_("本月核查"), month["verified"], link(verified=month["month"]), key="verified"),
        Figure(_("本月奖励发放"), month["rewarded"], link(paid=month["month"]), key="rewarded"),
        Figure(_("待受理"), pending["received"], link(status=TipStatus.RECEIVED), "danger", key="to_accept"),
        Figure(_("待核查"), pending["assigned"], link(status=TipStatus.ASSIGNED), key="to_verify"),
        Figure(_("待答复"), pending["verified"], link(status=TipStatus.VERIFIED), key="to_reply"),
        Figure(_("奖励待批准"), pending["proposed"], link(status=TipStatus.REWARD_PROPOSED), key="to_approve"),
        Figure(_("奖励待发放"), pending["approved"], link(status=TipStatus.REWARD_APPROVED), key="to_pay"),
    ]}
