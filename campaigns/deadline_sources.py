"""Tasks and their milestones as deadline sources of the shared escalation engine (reminders before the
deadline, then the office-configured ladder 提醒 → 通报 → 约谈 → 挂牌督办). A task with milestones (stages,
occurrences of a recurring duty, a deadline after an event) is followed through them, each on its own."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from campaigns.choices import CLOSED_STAGES, CLOSED_TASK_STATES, DeadlineKind, PartStatus

KEY = "campaigns.task"
MILESTONE_KEY = "campaigns.milestone"


def open_tasks() -> QuerySet:
    from campaigns.models import Milestone, Task

    # A closed campaign (总结, 归档) reminds and escalates nothing.
    return (Task.objects.exclude(status__in=CLOSED_TASK_STATES).exclude(campaign__stage__in=CLOSED_STAGES)
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
    """Per unit part: only the units whose own part is still open are reminded and escalated (东山街道, whose
    part was accepted as done, hears nothing more of a shared task the others are late on)."""
    from escalation.registry import Recipients

    links = (task.unit_links.exclude(status=PartStatus.DONE).filter(unit__collective=False)
             .select_related("unit").order_by("role", "unit__sort", "pk"))
    return Recipients(units=tuple(link.unit for link in links))


def supervisors(task: Any) -> Any:
    from escalation.registry import Recipients

    return Recipients(units=(task.campaign.office_unit,))


def responsible_many(tasks: list[Any]) -> dict[int, Any]:
    """``responsible`` for many tasks in one query: the units whose own part is still open."""
    from campaigns.models import TaskUnit
    from escalation.registry import RecipientIds

    units: dict[int, set[int]] = {}
    rows = (TaskUnit.objects.filter(task_id__in=[t.pk for t in tasks], unit__collective=False)
            .exclude(status=PartStatus.DONE).values_list("task_id", "unit_id"))
    for task_id, unit_id in rows:
        units.setdefault(task_id, set()).add(unit_id)
    return {pk: RecipientIds(units=frozenset(ids)) for pk, ids in units.items()}


def supervisors_many(tasks: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    return {t.pk: RecipientIds(units=frozenset([t.campaign.office_unit_id])) for t in tasks
            if t.campaign.office_unit_id}


def unit_tasks(unit_id: int) -> QuerySet:
    """The tasks a unit has a part in (the 督办台's unit filter)."""
    from campaigns.models import TaskUnit

    return TaskUnit.objects.filter(unit_id=unit_id).values("task_id")


def unit_milestones(unit_id: int) -> QuerySet:
    from campaigns.models import Milestone, TaskUnit

    return Milestone.objects.filter(task_id__in=TaskUnit.objects.filter(unit_id=unit_id).values("task_id")
                                    ).values("pk")


def register() -> None:
    try:
        from escalation.registry import CountKeys, DeadlineSource, register_source
    except ImportError:  # the escalation app is optional
        return
    from campaigns.models import Task

    # A task's open state follows its units' parts, its campaign's stage and its milestones (many writers): the
    # worker's standing counts. Milestones are scoped through their task (not ``scope_q``): counted directly.
    register_source(DeadlineSource(
        counts=CountKeys(domain="domain_id"),
        key=KEY, label="整治任务", model=Task, open_items=open_tasks, due_field="deadline", title=_title,
        url=_url, responsible=responsible, supervisors=supervisors, remind_before=(5, 1), ladder="default",
        kind_label="到期", responsible_many=responsible_many, supervisors_many=supervisors_many,
        unit_items=unit_tasks))
    from campaigns.models import Milestone

    register_source(DeadlineSource(
        key=MILESTONE_KEY, label="任务期限节点", model=Milestone, open_items=open_milestones, due_field="due",
        title=_milestone_title, url=_milestone_url, responsible=lambda m: responsible(m.task),
        supervisors=lambda m: supervisors(m.task), remind_before=(5, 1), ladder="default", kind_label="到期",
        unit_items=unit_milestones))
