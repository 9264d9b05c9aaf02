"""The two state machines of the credit module (core.workflow).

严重失信主体名单 (``BLACKLIST_TRANSITIONS``): proposed (拟列入: grounds and basis stated; the enterprise is told and may
state its case) → listed (认定列入: the statement recorded and the listing date; listed for ``rules.BLACKLIST_YEARS``)
→ removed (移出, with the reason: the period ended, 信用修复, or the grounds withdrawn); or proposed → dropped (不予列入).
《安全生产严重失信主体名单管理办法》(应急管理部令第11号) [M]: 列入前告知 and 陈述申辩, 认定 by the department, 移出.

信用修复 (``REPAIR_TRANSITIONS``): submitted (by the enterprise) → approved (the conditions of ``repair_conditions``
hold: the minimum period, rectification done, the penalty carried out, a commitment) or rejected (with a reason).
Government decides: the office or a regulating department with the enterprise in its own scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Move, Workflow
from credit.choices import BlacklistStatus, RepairStatus

DECIDERS = (Role.OFFICE, Role.REGULATOR)
WHO = gettext_lazy("安委办或行业监管部门")


def is_decider(actor: Any, obj: Any) -> bool:
    return actor is not None and bool(getattr(actor, "unit_id", None)) and actor.has_role(*DECIDERS)


def _needs_listing(entry: Any, data: dict[str, Any]) -> None:
    errors = {}
    if not str(data.get("statement") or "").strip():
        errors["statement"] = _("请记录告知及陈述申辩情况（未提出的，写明“未提出陈述申辩”）。")
    listed = data.get("listed_on")
    if not isinstance(listed, dt.date):
        errors["listed_on"] = _("请填写列入日期。")
    elif listed > timezone.localdate() or listed < timezone.localdate(entry.proposed_at):
        errors["listed_on"] = _("列入日期应在提出之日与今天之间。")
    if errors:
        raise ValidationError(errors)


def _needs_repair(application: Any, data: dict[str, Any]) -> None:
    from credit.services import repair_conditions

    unmet = [c for c in repair_conditions(application, timezone.localdate()) if not c.met]
    if unmet:
        raise ValidationError("；".join(c.unmet_text for c in unmet))


BLACKLIST_TRANSITIONS = Workflow("credit.blacklist", {
    (BlacklistStatus.PROPOSED, BlacklistStatus.LISTED): Move(
        "decide", gettext_lazy("认定列入"), is_decider, WHO, needs=_needs_listing, accepts=("statement", "listed_on"),
        style="danger"),
    (BlacklistStatus.PROPOSED, BlacklistStatus.DROPPED): Move(
        "drop", gettext_lazy("不予列入"), is_decider, WHO, note_required=True, style="secondary"),
    (BlacklistStatus.LISTED, BlacklistStatus.REMOVED): Move(
        "remove", gettext_lazy("移出名单"), is_decider, WHO, note_required=True, style="success"),
}, choices=BlacklistStatus, initial=(BlacklistStatus.PROPOSED,))

REPAIR_TRANSITIONS = Workflow("credit.repair", {
    (RepairStatus.SUBMITTED, RepairStatus.APPROVED): Move(
        "approve", gettext_lazy("同意信用修复"), is_decider, WHO, needs=_needs_repair, style="success"),
    (RepairStatus.SUBMITTED, RepairStatus.REJECTED): Move(
        "reject", gettext_lazy("不予修复"), is_decider, WHO, note_required=True, style="warning"),
}, choices=RepairStatus, initial=(RepairStatus.SUBMITTED,))
