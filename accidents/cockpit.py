"""The accidents panel of the cockpit: this year to date against the same months of last year, and the month by
month trend with 同比, through ``accidents.selectors`` over what the viewer sees; every count a link to the
accidents behind it.

Counted directly, no maintained count: accidents are few by nature (tens a year in a county), cut by the occurrence
time (indexed: ``acc_time_desc``, ``acc_path_time``) (bench/README.md, "Dashboards at province size")."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accidents.models import Accident
from accidents.selectors import trend, year_to_date
from accounts.choices import COCKPIT_ROLES
from core.dashboard import Figure


def accident_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    today = timezone.localdate()
    qs = Accident.objects.visible_to(user)
    ytd = year_to_date(qs, today)
    base = reverse("accidents:list")

    def link(**query: Any) -> str:
        return f"{base}?{urlencode({k: str(v) for k, v in query.items()})}"

    months = [{**row, "url": link(year=today.year, month=row["month"]),
               "last_url": link(year=today.year - 1, month=row["month"]), "future": row["month"] > today.month}
              for row in trend(qs, today.year)]
    return {"title": _("生产安全事故（%(y)s年1—%(m)s月，同比）") % {"y": today.year, "m": today.month}, "figures": [
        Figure(_("事故起数"), ytd["this"]["count"], link(year=today.year, until=today.month), key="count"),
        Figure(_("死亡人数"), ytd["this"]["deaths"], link(year=today.year, until=today.month, deaths="true"), "danger",
               key="deaths"),
        Figure(_("去年同期起数"), ytd["last"]["count"], link(year=today.year - 1, until=today.month), key="last"),
        Figure(_("同比"), ytd["change"], reverse("accidents:figures"), key="change"),
    ], "months": months, "year": today.year, "last_year": today.year - 1}
