"""督办事项 as the escalation engine's own deadline source."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from escalation.choices import ItemStatus
from escalation.models import SupervisionItem
from escalation.registry import DeadlineSource, RecipientIds, Recipients, register_source, url_of_pk
from escalation.supervision import SOURCE_KEY, item_url


def _supervisors(item: SupervisionItem) -> Recipients:
    return Recipients(users=(item.assigned_by,) if item.assigned_by_id else ())


def _responsible_many(items: list[Any]) -> dict[int, RecipientIds]:
    return {i.pk: RecipientIds(units=frozenset([i.assignee_id])) for i in items}


def _supervisors_many(items: list[Any]) -> dict[int, RecipientIds]:
    return {i.pk: RecipientIds(users=frozenset([i.assigned_by_id])) for i in items if i.assigned_by_id}


SOURCE = DeadlineSource(
    key=SOURCE_KEY,
    label="督办事项",
    model=SupervisionItem,
    # No select_related: title, url and the batch recipients need the item's own columns only (the sweep
    # loads every overdue item once per ladder step).
    open_items=lambda: SupervisionItem.objects.filter(status=ItemStatus.OPEN),
    due_field="deadline",
    title=lambda item: item.title,
    url=item_url,
    responsible=lambda item: Recipients(units=(item.assignee,)),
    supervisors=_supervisors,
    remind_before=(3, 1),
    ladder="default",
    kind_label="到期",
    responsible_many=_responsible_many,
    supervisors_many=_supervisors_many,
    unit_items=lambda unit_id: SupervisionItem.objects.filter(assignee_id=unit_id).values("pk"),
    title_sql=lambda: F("title"),
    url_sql=lambda: url_of_pk(lambda pk: item_url(SupervisionItem(pk=pk))),
)


def register() -> None:
    register_source(SOURCE)
