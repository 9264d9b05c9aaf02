"""The checks panel of the cockpit: this month's checks due, done and missed, runs and what they found, summed from
the daily rollup (``figures.rollup_totals``), each a link to the due checks or runs behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import COCKPIT_ROLES
from checks.figures import rollup_totals
from core.dashboard import Figure


def checks_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    today = timezone.localdate()
    start = today.replace(day=1)
    f = rollup_totals(user, start, today, today)
    period = {"start": start.isoformat(), "end": today.isoformat()}
    due, runs = reverse("checks:due"), reverse("checks:runs")
    rate = f"{f.completion_rate}%" if f.completion_rate is not None else "—"
    return {"title": _("本月隐患排查（%(m)s月）") % {"m": today.month}, "figures": [
        Figure(_("应检"), f.due, reverse("checks:figures") + "?" + urlencode(period), key="due"),
        Figure(_("已检"), f.done, f"{due}?{urlencode({'state': 'done', **period})}", key="done"),
        Figure(_("逾期未检"), f.missed, f"{due}?{urlencode({'state': 'missed', **period})}", "danger", key="missed"),
        Figure(_("计划完成率"), rate, reverse("checks:figures") + "?" + urlencode(period), key="rate"),
        Figure(_("检查次数"), f.runs, f"{runs}?{urlencode(period)}", key="runs"),
        Figure(_("发现问题的检查"), f.runs_finding, f"{runs}?{urlencode({'found': 'true', **period})}", key="found"),
    ]}
