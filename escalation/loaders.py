"""Default escalation ladders (``manage.py load_escalation_defaults``). Idempotent: a ladder the
office has already edited is left alone; only missing ladders are created."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from escalation.choices import Action
from escalation.models import EscalationLadder, EscalationStep

# code -> (name, applies_to, steps: (action, after_workdays, responsible, supervisors, office, needs_decision))
DEFAULTS: dict[str, tuple[str, str, list[tuple[str, int, bool, bool, bool, bool]]]] = {
    "default": ("逾期督办（提醒→通报→约谈→挂牌督办）", "", [
        (Action.REMINDER, 0, True, False, False, False),
        (Action.CIRCULAR, 5, True, True, True, False),
        (Action.TALK, 10, True, True, True, True),
        (Action.LISTED, 20, True, True, True, True),
    ]),
    "expiry": ("证照到期（标记并提醒责任方）", "", [
        (Action.REMINDER, 0, True, False, False, False),
    ]),
}


@transaction.atomic
def load_escalation_defaults() -> list[str]:
    lines: list[str] = []
    for code, (name, applies_to, steps) in DEFAULTS.items():
        if EscalationLadder.objects.filter(code=code).exists():
            lines.append(_("督办阶梯“%(n)s”已存在，保留现有设置。") % {"n": name})
            continue
        ladder = EscalationLadder.objects.create(code=code, name=name, applies_to=applies_to)
        for order, (action, days, resp, sup, office, decision) in enumerate(steps, start=1):
            EscalationStep.objects.create(ladder=ladder, order=order, action=action, after_workdays=days,
                                          notify_responsible=resp, notify_supervisors=sup, notify_office=office,
                                          needs_decision=decision)
        audit.record(action="escalation.ladder_create", obj=ladder,
                     changes={"code": code, "name": name, "steps": [list(s) for s in steps]})
        lines.append(_("已创建督办阶梯“%(n)s”（%(k)s 个步骤）。") % {"n": name, "k": len(steps)})
    return lines
