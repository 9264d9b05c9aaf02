"""Hazard deadlines on the shared escalation engine (reminder → township + department → office)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hazards.choices import OVERDUE_STATUSES, Grade, Source, Status


def _open_items() -> QuerySet:
    from hazards.models import Hazard

    return (Hazard.objects.filter(status__in=OVERDUE_STATUSES, deadline__isnull=False)
            .select_related("enterprise", "finder_unit", "domain"))


def _title(hazard: Any) -> str:
    return f"隐患整改：{hazard.where} {hazard.number}（{hazard.description[:30]}）"


def _url(hazard: Any) -> str:
    return f"/hazards/{hazard.pk}/"


def _responsible(hazard: Any) -> Any:
    from escalation.registry import Recipients

    if hazard.enterprise_id:
        return Recipients(users=tuple(hazard.enterprise.users.filter(is_active=True)))
    return Recipients(units=tuple(u for u in [hazard.finder_unit] if u is not None))


def _supervisors(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.services import supervisors_of

    units = list(supervisors_of(hazard))
    if hazard.supervisor_unit_id and hazard.supervisor_unit not in units:
        units.insert(1, hazard.supervisor_unit)
    return Recipients(units=tuple(units))


def _reviews() -> QuerySet:
    from hazards.models import Hazard

    # Applications the enterprise verifies itself (自查自改 general hazards) are not a government review.
    return (Hazard.objects.filter(status=Status.APPLIED, review_deadline__isnull=False)
            .exclude(grade=Grade.GENERAL, source=Source.SELF_CHECK, enterprise__isnull=False)
            .select_related("enterprise", "finder_unit", "supervisor_unit", "domain"))


def _review_title(hazard: Any) -> str:
    return f"隐患验收审查：{hazard.where} {hazard.number}（申请验收后10日内审查）"


def _reviewers(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import regulators_of

    if hazard.grade == Grade.MAJOR:
        units = [hazard.supervisor_unit]
    else:
        units = [hazard.finder_unit] if hazard.finder_unit_id else regulators_of(hazard)[:1]
    return Recipients(units=tuple(u for u in units if u is not None))


def _review_supervisors(hazard: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import offices_of

    return Recipients(units=tuple(offices_of(hazard)[:1]))


def register() -> None:
    from escalation.registry import DeadlineSource, register_source
    from hazards.models import Hazard

    register_source(DeadlineSource(
        key="hazards.hazard", label="事故隐患", model=Hazard, open_items=_open_items, due_field="deadline",
        title=_title, url=_url, responsible=_responsible, supervisors=_supervisors, remind_before=(3, 1),
        ladder="default", kind_label="整改到期"))
    register_source(DeadlineSource(
        key="hazards.review", label="隐患验收审查", model=Hazard, open_items=_reviews, due_field="review_deadline",
        title=_review_title, url=_url, responsible=_reviewers, supervisors=_review_supervisors, remind_before=(2,),
        ladder="default", kind_label="审查到期"))
