"""Home-page card: progress of the campaigns the viewer takes part in."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from campaigns.choices import CampaignStage
from campaigns.models import Campaign
from campaigns.selectors import campaign_tasks, totals


def campaign_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    today = timezone.localdate()
    rows = []
    # Campaigns being run: an archived one is history, read on its own pages.
    for campaign in Campaign.objects.exclude(stage=CampaignStage.ARCHIVED).order_by("-pk")[:3]:
        row = totals(campaign_tasks(user, campaign), today)
        if row.total:
            rows.append((campaign, row))
    return {"rows": rows} if rows else None
