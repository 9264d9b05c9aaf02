"""Deadlines of tips on the shared engine (escalation.registry), in working days (workdays): 受理 (accept_due,
while received), 核查 (verify_due, while assigned), 答复 (reply_due, while verified). See services for the days."""

from __future__ import annotations

from typing import Any


def _received() -> Any:
    from tips.choices import TipStatus
    from tips.models import Tip

    return Tip.objects.filter(status=TipStatus.RECEIVED, accept_due__isnull=False)


def _assigned() -> Any:
    from tips.choices import TipStatus
    from tips.models import Tip

    return Tip.objects.filter(status=TipStatus.ASSIGNED, verify_due__isnull=False)


def _verified() -> Any:
    from tips.choices import TipStatus
    from tips.models import Tip

    return Tip.objects.filter(status=TipStatus.VERIFIED, reply_due__isnull=False)


def _title(tip: Any) -> str:
    return f"举报：{tip.get_kind_display()} {tip.place}"[:120]


def _url(tip: Any) -> str:
    return f"/tips/{tip.pk}/"


def _territorial(tip: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import territorial_units_of

    return Recipients(units=tuple(territorial_units_of(tip)[:1]))


def _offices(tip: Any) -> Any:
    from escalation.registry import Recipients
    from hazards.selectors import offices_of

    return Recipients(units=tuple(offices_of(tip)[:1]))


def _handler(tip: Any) -> Any:
    from escalation.registry import Recipients

    return Recipients(units=(tip.assigned_unit,)) if tip.assigned_unit_id else Recipients()


def register() -> None:
    from escalation.registry import CountKeys, DeadlineSource, register_source
    from tips.models import Tip

    # A tip's deadlines move with its handling workflow: the worker's standing counts. Tips have no domain arm
    # (territory, or the unit they are assigned to, counted directly).
    keys = CountKeys(domain_arm=False)

    register_source(DeadlineSource(
        counts=keys, key="tips.accept", label="举报受理期限", model=Tip, open_items=_received, due_field="accept_due",
        title=_title, url=_url, responsible=_territorial, supervisors=_offices, remind_before=(1,), ladder="",
        kind_label="受理到期"))
    register_source(DeadlineSource(
        counts=keys, key="tips.verify", label="举报核查期限", model=Tip, open_items=_assigned, due_field="verify_due",
        title=_title, url=_url, responsible=_handler, supervisors=_offices, remind_before=(3, 1), ladder="",
        kind_label="核查到期"))
    register_source(DeadlineSource(
        counts=keys, key="tips.reply", label="举报答复期限", model=Tip, open_items=_verified, due_field="reply_due",
        title=_title, url=_url, responsible=_handler, supervisors=_offices, remind_before=(1,), ladder="",
        kind_label="答复到期"))
