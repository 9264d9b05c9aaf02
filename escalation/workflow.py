"""The two escalation state machines, as tables (house style 6, shape of ``core.workflow``).

Escalation records (督办记录): the sweep files each step of the ladder as applied, or as proposed when the
office must decide; the office confirms or dismisses a proposal (dismissing needs a reason), and confirming a
higher step dismisses the lower proposals for the same deadline. Manual escalations are filed confirmed.

Supervision items (督办事项): open --(the assignee reports it done, with what was done)--> done
--(the office closes it: 销号)--> closed, or back to open (returned, with a reason)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Move, Workflow
from escalation.choices import ItemStatus, RecordStatus


def is_office(actor: Any, obj: Any) -> bool:
    return actor is not None and actor.has_role(Role.OFFICE)


def is_assignee(actor: Any, item: Any) -> bool:
    return actor is not None and actor.unit_id is not None and actor.unit_id == item.assignee_id


_OFFICE = gettext_lazy("安委办")
R = RecordStatus
RECORD_TRANSITIONS = Workflow("escalation.record", {
    (R.PROPOSED, R.CONFIRMED): Move("confirm", gettext_lazy("确认执行"), is_office, _OFFICE,
                                    refusal=gettext_lazy("只有安委办可以决定督办措施。"), style="danger",
                                    audit="escalation.confirm"),
    (R.PROPOSED, R.DISMISSED): Move("dismiss", gettext_lazy("不予执行"), is_office, _OFFICE, note_required=True,
                                    note_hint=gettext_lazy("不予执行时请说明理由。"),
                                    refusal=gettext_lazy("只有安委办可以决定督办措施。"),
                                    style="outline-secondary", audit="escalation.dismiss"),
}, choices=RecordStatus, initial=(R.APPLIED, R.PROPOSED, R.CONFIRMED),
    not_allowed=lambda state, to, action: _("该督办措施已经决定（%(s)s），不能重复决定。") % {
        "s": RecordStatus(state).label})


def _item_not_allowed(state: Any, to: Any, action: Any) -> str:
    if action == "report":
        return _("该督办事项当前状态为“%(s)s”，不能报告办结。") % {"s": ItemStatus(state).label}
    return _("只有已报告办结的督办事项才能销号或退回。")


_OFFICE_ONLY = gettext_lazy("只有安委办可以交办、延期或销号督办事项。")
I_ = ItemStatus
ITEM_TRANSITIONS = Workflow("escalation.item", {
    (I_.OPEN, I_.DONE): Move("report", gettext_lazy("报告办结"), is_assignee, gettext_lazy("承办单位"),
                             note_required=True, note_hint=gettext_lazy("请填写办理情况。"),
                             refusal=gettext_lazy("只有承办单位可以报告办结。")),
    (I_.DONE, I_.CLOSED): Move("close", gettext_lazy("销号"), is_office, _OFFICE, refusal=_OFFICE_ONLY,
                               style="success"),
    (I_.DONE, I_.OPEN): Move("return", gettext_lazy("退回"), is_office, _OFFICE, note_required=True,
                             note_hint=gettext_lazy("退回时请说明理由。"), refusal=_OFFICE_ONLY,
                             style="outline-warning"),
}, choices=ItemStatus, initial=(I_.OPEN,), not_allowed=_item_not_allowed)
