"""Reminders of the per-campaign progress-report schedule: a few working days before the
period's report day, each unit that still owes reports for open tasks is told how many."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from campaigns import workflow
from campaigns.choices import CLOSED_STAGES, CLOSED_TASK_STATES, PartStatus, UnitRole
from campaigns.models import Campaign, ProgressReport, TaskUnit
from orgs.models import Unit

LEAD_WORKDAYS = 3


def remind_missing_reports(*, today: dt.date | None = None, lead_workdays: int = LEAD_WORKDAYS) -> int:
    """Returns the number of notifications sent (re-running on the same day sends none)."""
    from notifications.services import notify
    from workdays.services import workdays_between

    today = today or timezone.localdate()
    sent = 0
    campaigns = (Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today - dt.timedelta(days=31))
                 .exclude(stage__in=CLOSED_STAGES))
    for campaign in campaigns:
        start, label = workflow.period_for(campaign, today)
        due = workflow.period_due(campaign, start)
        if today > due or workdays_between(today, due) > lead_workdays:
            continue
        reported = ProgressReport.objects.filter(task=OuterRef("task"), unit=OuterRef("unit"), period_start=start)
        owing = (TaskUnit.objects.filter(task__campaign=campaign, role__in=UnitRole.values,
                                         unit__collective=False, unit__active=True)
                 .exclude(task__status__in=CLOSED_TASK_STATES).exclude(status=PartStatus.DONE)
                 .exclude(Exists(reported))
                 .values_list("unit_id", flat=True))
        counts = Counter(owing)
        with transaction.atomic():
            for unit in Unit.objects.filter(pk__in=counts):
                sent += notify(
                    title=f"请于{due.month}月{due.day}日前报送{label}整治任务进展（{counts[unit.pk]}项未报送）",
                    body=f"{campaign.name}：本单位牵头或配合的任务中，尚有{counts[unit.pk]}项未报送{label}进展。",
                    url=reverse("campaigns:my_tasks"), kind="reminder", units=[unit],
                    dedupe_key=f"campaigns.report-due:{campaign.pk}:{start.isoformat()}:{unit.pk}",
                    source_key="campaigns.report")
    return sent
