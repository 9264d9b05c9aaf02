"""The campaigns panel of the cockpit: the progress of the campaigns being run (as on the home card), each figure a
link to the campaign's task list filtered the same way.

Counted directly, no maintained count: the tasks of at most ``SHOWN`` campaigns, a few hundred each by nature
(bench/README.md, "Dashboards at province size")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import COCKPIT_ROLES
from campaigns.choices import CampaignStage, TaskStatus
from campaigns.models import Campaign
from campaigns.selectors import campaign_tasks, totals
from core.dashboard import Figure

SHOWN = 3


def campaign_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(*COCKPIT_ROLES):
        return None
    today = timezone.localdate()
    groups = []
    for campaign in Campaign.objects.exclude(stage=CampaignStage.ARCHIVED).order_by("-pk")[:SHOWN]:
        row = totals(campaign_tasks(user, campaign), today)
        if not row.total:
            continue
        tasks = reverse("campaigns:tasks", args=[campaign.pk])
        on_time = f"{row.on_time_rate}%" if row.on_time_rate is not None else "—"
        groups.append({"title": campaign.name, "url": reverse("campaigns:overview", args=[campaign.pk]), "figures": [
            Figure(_("任务"), row.total, tasks),
            Figure(_("已完成"), row.done, f"{tasks}?status={TaskStatus.DONE}"),
            Figure(_("完成率"), f"{row.percent}%", reverse("campaigns:overview", args=[campaign.pk])),
            Figure(_("超期"), row.overdue, f"{tasks}?overdue=true", "danger"),
            Figure(_("按期完成率"), on_time, f"{tasks}?on_time=true"),
        ]})
    if not groups:
        return None
    return {"title": _("专项整治进展"), "figures": [], "groups": groups}
