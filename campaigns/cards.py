"""Home-page card: progress of the campaigns the viewer takes part in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.choices import Role
from campaigns.choices import (
    CLOSED_STAGES,
    CLOSED_TASK_STATES,
    CampaignStage,
    DeadlineKind,
    PartStatus,
    ReportState,
)
from campaigns.models import Campaign, ProgressReport, Task, TaskUnit
from campaigns.models.scope import user_unit_ids
from campaigns.selectors import campaign_tasks, overdue_units, totals
from campaigns.views.tasks import DUE_SOON_DAYS


def campaign_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role or user.has_role(Role.OFFICE):  # the office has its own (office_campaign_card)
        return None
    today = timezone.localdate()
    rows = []
    # Campaigns being run: an archived one is history, read on its own pages.
    for campaign in Campaign.objects.exclude(stage=CampaignStage.ARCHIVED).order_by("-pk")[:3]:
        row = totals(campaign_tasks(user, campaign), today)
        if row.total:
            rows.append((campaign, row))
    return {"rows": rows} if rows else None


def office_campaign_card(user: Any) -> dict[str, Any] | None:
    """The office's first card: the campaign it is running now — progress, reports awaiting its review and the
    units with overdue parts, each figure a link to the tasks or reports behind it."""
    if not user.has_role(Role.OFFICE):
        return None
    campaign = (Campaign.objects.visible_to(user).filter(stage=CampaignStage.RUNNING)
                .order_by("-starts_on", "-pk").first())
    if campaign is None:
        return {"campaign": None}
    today = timezone.localdate()
    tasks = campaign_tasks(user, campaign)
    units = overdue_units(tasks, today)
    reviews = ProgressReport.objects.visible_to(user).filter(state=ReportState.SUBMITTED, task__campaign=campaign).count()
    return {"campaign": campaign, "row": totals(tasks, today), "units": units[:6], "more_units": len(units) > 6,
            "reviews": reviews, "today": today}


def unit_tasks_card(user: Any) -> dict[str, Any] | None:
    """A township's or a department's own parts in the campaigns being run: overdue, due soon, still open —
    the same parts 我的任务 lists, most urgent first."""
    if not user.has_role(Role.TOWNSHIP, Role.REGULATOR) or not user.unit_id:
        return None
    today = timezone.localdate()
    open_part = ~Q(status=PartStatus.DONE) & ~Q(task__status__in=CLOSED_TASK_STATES)
    dated = Q(task__deadline_kind=DeadlineKind.DATE)
    counts = (TaskUnit.objects.filter(unit_id__in=user_unit_ids(user),
                                      task__in=Task.objects.visible_to(user).values("pk"))
              .exclude(task__campaign__stage__in=CLOSED_STAGES)
              .aggregate(open=Count("pk", filter=open_part),
                         overdue=Count("pk", filter=open_part & dated & Q(task__deadline__lt=today)),
                         soon=Count("pk", filter=open_part & dated & Q(
                             task__deadline__gte=today, task__deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS)))))
    return {"counts": counts, "soon_days": DUE_SOON_DAYS}
