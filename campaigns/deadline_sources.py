"""Tasks and their milestones as deadline sources of the shared escalation engine (reminders before the
deadline, then the office-configured ladder 提醒 → 通报 → 约谈 → 挂牌督办). A task with milestones (stages,
occurrences of a recurring duty, a deadline after an event) is followed through them, each on its own."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from campaigns.choices import CLOSED_TASK_STATES, DeadlineKind, UnitRole

KEY = "campaigns.task"
MILESTONE_KEY = "campaigns.milestone"


def open_tasks() -> QuerySet:
    from campaigns.models import Milestone, Task

    return (Task.objects.exclude(status__in=CLOSED_TASK_STATES)
            .filter(deadline_kind=DeadlineKind.DATE, deadline__isnull=False)
            .exclude(Exists(Milestone.objects.filter(task=OuterRef("pk"))))
            .select_related("plan", "campaign__office_unit"))


def open_milestones() -> QuerySet:
    from campaigns.milestones import open_milestones as milestones

    return milestones()


def _milestone_title(m: Any) -> str:
    return f"{m.task.label} {m.task.title}（{m.text or m.get_kind_display()}）"[:200]


def _milestone_url(m: Any) -> str:
    return reverse("campaigns:task_detail", args=[m.task_id]) + "#milestones"


def _title(task: Any) -> str:
    return f"{task.label} {task.title}"[:200]


def _url(task: Any) -> str:
    return reverse("campaigns:task_detail", args=[task.pk])


def responsible(task: Any) -> Any:
    from escalation.registry import Recipients

    links = task.unit_links.filter(role__in=[UnitRole.LEAD, UnitRole.COOP]).select_related("unit")
    return Recipients(units=tuple(link.unit for link in links if not link.unit.collective))


def supervisors(task: Any) -> Any:
    from escalation.registry import Recipients

    return Recipients(units=(task.campaign.office_unit,))


def register() -> None:
    try:
        from escalation.registry import DeadlineSource, register_source
    except ImportError:  # the escalation app is optional
        return
    from campaigns.models import Task

    register_source(DeadlineSource(
        key=KEY, label="整治任务", model=Task, open_items=open_tasks, due_field="deadline", title=_title,
        url=_url, responsible=responsible, supervisors=supervisors, remind_before=(5, 1), ladder="default",
        kind_label="到期"))
    from campaigns.models import Milestone

    register_source(DeadlineSource(
        key=MILESTONE_KEY, label="任务期限节点", model=Milestone, open_items=open_milestones, due_field="due",
        title=_milestone_title, url=_milestone_url, responsible=lambda m: responsible(m.task),
        supervisors=lambda m: supervisors(m.task), remind_before=(5, 1), ladder="default", kind_label="到期"))
