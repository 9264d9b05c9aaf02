"""Who hears of a tip, so that the next one to act finds it: the township (属地) when it arrives, the department it
is assigned to, the office when a true tip has been answered and its reward is to be set. Queued for after the
commit; the reporter is never named (only the place and what was reported)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.formats import cn_date
from core.workflow import Step, after_commit
from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
from orgs.models import Unit
from tips.models import Tip


def _covering(kinds: Any, path: str) -> list[Unit]:
    units = Unit.objects.filter(kind__in=kinds, active=True, collective=False)
    return [u for u in units if u.jurisdiction_path and path.startswith(u.jurisdiction_path)]


def territorial_units(tip: Tip) -> list[Unit]:
    return _covering(TERRITORIAL_UNIT_KINDS, tip.jurisdiction_path)


def offices(tip: Tip) -> list[Unit]:
    return _covering([UnitKind.OFFICE], tip.jurisdiction_path)


def notify_received(tip: Tip) -> None:
    """A new tip: the township over its place accepts it (the office sees it on its card and cockpit)."""
    from notifications.services import notify

    def send() -> None:
        notify(title=_("收到群众举报，请受理：%(p)s") % {"p": tip.place[:60]},
               body=_("%(d)s（受理期限 %(due)s）") % {"d": tip.description[:120], "due": cn_date(tip.accept_due)},
               url=f"/tips/{tip.pk}/", kind="decision", units=territorial_units(tip), obj=tip,
               dedupe_key=f"tip-received-{tip.pk}")

    after_commit(send)


def notify_move(step: Step) -> None:
    """After the commit (``transition`` runs it as the system)."""
    from notifications.services import notify

    tip, action = step.obj, step.action
    url = f"/tips/{tip.pk}/"
    if action == "assign":
        notify(title=_("举报已分办给本单位，请核查：%(p)s") % {"p": tip.place[:60]},
               body=_("%(d)s（核查期限 %(due)s）") % {"d": tip.description[:120], "due": cn_date(tip.verify_due)},
               url=url, kind="decision", units=[tip.assigned_unit], obj=tip, dedupe_key=f"tip-assign-{tip.pk}")
    elif action == "reply" and tip.confirmed:
        notify(title=_("举报经核查属实并已答复，请拟定奖励：%(p)s") % {"p": tip.place[:60]}, url=url, kind="decision",
               units=offices(tip), obj=tip, dedupe_key=f"tip-reward-{tip.pk}")
