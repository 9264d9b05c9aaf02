"""Deadlines of the enforcement module on the shared engine (escalation.registry):

- 复查: an inspection recorded with hazards is reviewed by its ``review_due`` (the days stated in the
  责令限期整改指令书; 安全生产法第六十五条); reminders in working days (workdays.services via the engine)."""

from __future__ import annotations

from typing import Any


def _open_reviews() -> Any:
    from enforcement.choices import InspectionStatus
    from enforcement.models import Inspection

    return Inspection.objects.filter(status=InspectionStatus.RECORDED, review_due__isnull=False)


def _title(inspection: Any) -> str:
    return f"整改复查：{inspection.target_name}"


def _url(inspection: Any) -> str:
    return f"/enforcement/inspections/{inspection.pk}/"


def _responsible(inspection: Any) -> Any:
    from escalation.registry import Recipients

    users = tuple(i.user for i in inspection.inspectors.all() if i.user_id)
    return Recipients(units=(inspection.department,), users=users)


def register() -> None:
    from enforcement.models import Inspection
    from escalation.registry import DeadlineSource, register_source

    register_source(DeadlineSource(
        key="enforcement.review", label="执法检查整改复查", model=Inspection, open_items=_open_reviews,
        due_field="review_due", title=_title, url=_url, responsible=_responsible, remind_before=(2, 1),
        ladder="", kind_label="复查到期"))
