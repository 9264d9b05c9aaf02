"""The one-year 整改评估 of an accident on the shared deadline engine (escalation.registry).

《生产安全事故防范和整改措施落实情况评估办法》(安委办〔2021〕4号) and the seed ("落实事故结案一年内整改评估公开和责任追究
制度"): the measures an investigation report orders are evaluated within one year of the report's 批复 (结案). The
deadline is ``Accident.evaluation_due``, set when the accident is closed; it is met by the 整改评估 move."""

from __future__ import annotations

from typing import Any


def _open_evaluations() -> Any:
    from accidents.choices import Status
    from accidents.models import Accident

    return Accident.objects.filter(status=Status.CLOSED, evaluation_due__isnull=False)


def _title(accident: Any) -> str:
    return f"事故整改评估：{accident.number} {accident.where}"


def _url(accident: Any) -> str:
    return f"/accidents/{accident.pk}/"


def _responsible(accident: Any) -> Any:
    from escalation.registry import Recipients
    from orgs.choices import UnitKind
    from orgs.models import Unit

    offices = [u for u in Unit.objects.filter(kind=UnitKind.OFFICE, active=True, collective=False)
               if u.jurisdiction_path and accident.jurisdiction_path.startswith(u.jurisdiction_path)]
    return Recipients(units=tuple(offices))


def register() -> None:
    from accidents.models import Accident
    from escalation.registry import CountKeys, DeadlineSource, register_source

    # Few rows whose evaluation due is set by the investigation's close: the worker's standing counts suffice.
    register_source(DeadlineSource(
        counts=CountKeys(domain="domain_id"),
        key="accidents.evaluation", label="事故整改评估", model=Accident, open_items=_open_evaluations,
        due_field="evaluation_due", title=_title, url=_url, responsible=_responsible, remind_before=(20, 5),
        ladder="default", kind_label="评估到期"))
