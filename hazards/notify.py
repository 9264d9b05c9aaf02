"""Who hears of what happens to a hazard: the notifications of the hazards app, all queued for after the
commit (a rolled-back write notifies nobody)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.workflow import Step, after_commit
from hazards import workflow
from hazards.choices import Grade
from hazards.selectors import regulators_of, territorial_units_of


def notify_after_commit(**kwargs: Any) -> None:
    """Queue a notification (``notifications.services.notify`` arguments) for after the commit."""
    from notifications.services import notify

    after_commit(lambda: notify(**kwargs))


def notify_move(step: Step) -> None:
    """After the commit (``transition`` runs it as the system): who hears of this move."""
    from notifications.services import notify

    hazard, action, note = step.obj, step.action, step.note
    url = f"/hazards/{hazard.pk}/"
    title = f"{step.move.label}：{hazard.where} {hazard.number}"
    responsible_users = list(hazard.enterprise.users.all()) if hazard.enterprise_id else []
    responsible_units = [] if hazard.enterprise_id else [u for u in [hazard.finder_unit] if u]
    if action == "assess" and hazard.grade == Grade.MAJOR:
        # 重大事故隐患报告 goes to the supervising regulator and appears on its board.
        notify(title=_("重大事故隐患报告：%(w)s") % {"w": hazard.where},
               body=f"{hazard.description[:120]}\n{_('现状及成因')}：{hazard.report_cause[:200]}",
               url=url, kind="decision", units=[hazard.supervisor_unit, *territorial_units_of(hazard)[:1]],
               obj=hazard, dedupe_key=f"hazard-major-report-{hazard.pk}")
    elif action == "apply":
        acceptors = [hazard.supervisor_unit] if hazard.grade == Grade.MAJOR else (
            [] if workflow.self_managed(hazard) else [hazard.finder_unit or (regulators_of(hazard) or [None])[0]])
        notify(title=_("待验收：%(w)s %(n)s") % {"w": hazard.where, "n": hazard.number}, url=url, kind="decision",
               units=[u for u in acceptors if u is not None], obj=hazard,
               dedupe_key=f"hazard-apply-{hazard.pk}-{hazard.applied_at:%Y%m%d%H%M%S}")
    elif action in ("return", "accept", "close", "extend", "void"):
        notify(title=title, body=note, url=url, kind="info", users=responsible_users, units=responsible_units,
               obj=hazard)
