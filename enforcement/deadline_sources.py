"""Deadlines of the enforcement module on the shared engine (escalation.registry), reminders in working days:

- 复查: an inspection recorded with hazards is reviewed by its ``review_due`` (the days stated in the
  责令限期整改指令书; 安全生产法第六十五条);
- 处罚决定: a case is decided within 90 days of 立案 (行政处罚法第六十条), ``decision_due``;
- 公示: a decision is published within 7 working days (安全生产法第七十八条第二款), ``publish_due`` (computed with
  workdays.services.add_workdays when the decision is made)."""

from __future__ import annotations

from typing import Any


def _open_reviews() -> Any:
    from enforcement.choices import InspectionStatus
    from enforcement.models import Inspection

    return Inspection.objects.filter(status=InspectionStatus.RECORDED, review_due__isnull=False)


def _undecided() -> Any:
    from enforcement.choices import CaseStatus
    from enforcement.models import Case

    return Case.objects.filter(status__in=[CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED,
                                           CaseStatus.HEARING])


def _unpublished() -> Any:
    from enforcement.models import Case

    return Case.objects.filter(decided_on__isnull=False, published_at__isnull=True, withdrawn_at__isnull=True)


def _title(inspection: Any) -> str:
    return f"整改复查：{inspection.target_name}"


def _url(inspection: Any) -> str:
    return f"/enforcement/inspections/{inspection.pk}/"


def _case_title(case: Any) -> str:
    return f"行政处罚：{case.enterprise.name} {case.cause}"


def _case_url(case: Any) -> str:
    return f"/enforcement/cases/{case.pk}/"


def _responsible(inspection: Any) -> Any:
    from escalation.registry import Recipients

    users = tuple(i.user for i in inspection.inspectors.all() if i.user_id)
    return Recipients(units=(inspection.department,), users=users)


def _case_responsible(case: Any) -> Any:
    from escalation.registry import Recipients

    return Recipients(units=(case.department,))


def _responsible_many(inspections: list[Any]) -> dict[int, Any]:
    """The departments and the inspectors' accounts of many inspections: one query."""
    from enforcement.models import Inspection
    from escalation.registry import RecipientIds

    users: dict[int, set[int]] = {}
    rows = (Inspection.inspectors.through.objects
            .filter(inspection_id__in=[i.pk for i in inspections], inspector__user__isnull=False)
            .values_list("inspection_id", "inspector__user_id"))
    for inspection_id, user_id in rows:
        users.setdefault(inspection_id, set()).add(user_id)
    return {i.pk: RecipientIds(units=frozenset([i.department_id]), users=frozenset(users.get(i.pk, ())))
            for i in inspections}


def _case_responsible_many(cases: list[Any]) -> dict[int, Any]:
    from escalation.registry import RecipientIds

    return {c.pk: RecipientIds(units=frozenset([c.department_id])) for c in cases}


def register() -> None:
    from enforcement.models import Case, Inspection
    from enterprises.models.base import enterprise_links
    from escalation.registry import CountKeys, DeadlineSource, register_source

    # Inspections and cases change their open state in many workflow moves: the worker's standing counts. Their
    # domain arm is the enterprise's links (departments are counted directly; their own unit's rows are few).
    keys = CountKeys(domain_links=enterprise_links)

    register_source(DeadlineSource(
        counts=keys, key="enforcement.review", label="执法检查整改复查", model=Inspection, open_items=_open_reviews,
        due_field="review_due", title=_title, url=_url, responsible=_responsible, remind_before=(2, 1),
        ladder="", kind_label="复查到期", responsible_many=_responsible_many))
    register_source(DeadlineSource(
        counts=keys, key="enforcement.decision", label="行政处罚决定期限", model=Case, open_items=_undecided,
        due_field="decision_due", title=_case_title, url=_case_url, responsible=_case_responsible,
        remind_before=(10, 3), ladder="", kind_label="决定到期", responsible_many=_case_responsible_many))
    register_source(DeadlineSource(
        counts=keys, key="enforcement.publication", label="行政处罚公示期限", model=Case, open_items=_unpublished,
        due_field="publish_due", title=_case_title, url=_case_url, responsible=_case_responsible,
        remind_before=(2, 1), ladder="", kind_label="公示到期", responsible_many=_case_responsible_many))
