"""Goal / indicator writes: the loader's goal_save and the units' actual values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from campaigns.lifecycle import require_writable
from campaigns.models import Goal, GoalReading, Plan
from campaigns.models.scope import user_unit_ids
from campaigns.services import is_office_for, require_office
from core import audit

GOAL_FIELDS = ["text", "metric", "target_text", "comparison", "target_value", "measure_unit", "deadline",
               "deadline_text", "source", "source_line", "ref", "sort"]


@transaction.atomic
def goal_save(*, actor: Any, plan: Plan, goal: Goal | None = None, **values: Any) -> Goal:
    require_office(actor, plan.campaign)
    require_writable(plan.campaign)
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError(_("目标不属于该方案。"))
    values = {k: v for k, v in values.items() if k in GOAL_FIELDS}
    if not (values.get("text") or getattr(goal, "text", "")).strip():
        raise ValidationError({"text": _("请填写目标内容。")})
    if bool(values.get("comparison")) != (values.get("target_value") is not None) and "comparison" in values:
        raise ValidationError({"target_value": _("可量化的目标须同时填写比较方式和目标值。")})
    if values.get("target_value") is not None:
        values["target_value"] = Decimal(values["target_value"]).quantize(Decimal("0.0001"))
    created = goal is None
    goal = goal or Goal(plan=plan)
    before = {} if created else audit.snapshot(goal, GOAL_FIELDS)
    for k, v in values.items():
        setattr(goal, k, v)
    changes = audit.diff(before, audit.snapshot(goal, GOAL_FIELDS))
    if changes or created:
        goal.save()
        audit.record(action="campaigns.create" if created else "campaigns.update", obj=goal, changes=changes)
    return goal


@transaction.atomic
def goal_delete(*, actor: Any, goal: Goal) -> None:
    """Delete a goal entered by mistake: recorded; refused once a unit has reported a value for it."""
    require_office(actor, goal.plan.campaign)
    require_writable(goal.plan.campaign)
    if goal.readings.exists():
        raise ValidationError(_("该指标已有报送的实际值，不能删除。"))
    audit.record(action="campaigns.delete", obj=goal, changes=audit.diff(audit.snapshot(goal, GOAL_FIELDS), {}))
    goal.delete()


def can_report(actor: Any, goal: Goal) -> bool:
    """Units with a part in the plan report its indicators; the office may too."""
    if is_office_for(actor, goal.plan.campaign):
        return True
    units = user_unit_ids(actor)
    return bool(units) and goal.plan.unit_links.filter(unit_id__in=units).exists()


@transaction.atomic
def goal_report_value(*, actor: Any, goal: Goal, value: Decimal, as_of: dt.date, note: str = "") -> GoalReading:
    require_writable(goal.plan.campaign)
    if not goal.measurable:
        raise ValidationError(_("该目标没有可量化的目标值，不能报送实际值。"))
    if not can_report(actor, goal):
        raise PermissionDenied(_("只有该方案的责任单位或安委办可以报送指标实际值。"))
    if value < 0:
        raise ValidationError({"value": _("实际值不能为负数。")})
    unit = actor.unit if actor.unit_id else goal.plan.campaign.office_unit
    reading = GoalReading.objects.create(goal=goal, unit=unit, value=value, as_of=as_of, note=note,
                                         reported_by=actor)
    audit.record(action="campaigns.value_report", obj=goal, changes={"actual": [None, str(value)], "as_of": [None, as_of]},
                 note=f"{unit.name}")
    return reading


def with_latest(qs: Any) -> Any:
    """Annotate goals with their latest reported value (one subquery, no N+1)."""
    latest = GoalReading.objects.filter(goal=OuterRef("pk")).order_by("-as_of", "-pk")
    return qs.annotate(latest_value=Subquery(latest.values("value")[:1]),
                       latest_as_of=Subquery(latest.values("as_of")[:1]))
