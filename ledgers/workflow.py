"""The hazardous-work permit's state machine, as a table (house style 6, shape of ``core.workflow``).

applied --(keeper confirms every risk measure)--> checked --(approver, not the applicant)--> approved
--(keeper, after the work)--> closed. An approver may send a checked permit back; an open permit that is
not yet approved may be cancelled by its applicant or an approver. ``services.permit_transition`` is the only
code that changes ``WorkPermit.status`` after ``row_create`` files it as applied."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import Move, Workflow
from ledgers.choices import PermitStatus as S


def is_keeper(actor: Any, permit: Any) -> bool:
    """An account of the permit's own enterprise."""
    return actor is not None and actor.has_role("enterprise") and actor.enterprise_id == permit.enterprise_id


def is_approver(actor: Any, permit: Any) -> bool:
    """The enterprise's principal or safety manager account, and never the applicant of this permit."""
    if not is_keeper(actor, permit) or actor.pk == permit.applicant_id:
        return False
    ent = permit.enterprise
    return actor.pk in (ent.principal_user_id, ent.safety_manager_user_id)


def is_applicant_or_approver(actor: Any, permit: Any) -> bool:
    return (is_keeper(actor, permit) and actor.pk == permit.applicant_id) or is_approver(actor, permit)


def _need_every_measure(permit: Any, data: dict[str, Any]) -> None:
    if sorted(set(data.get("confirmed") or [])) != list(range(len(permit.measure_lines))):
        raise ValidationError(_("请逐条确认全部安全措施后再提交。"))


_KEEPER = gettext_lazy("本企业账号")
_APPROVER = gettext_lazy("企业主要负责人或安全管理人员（不能是申请人）")
_REFUSAL = gettext_lazy("您不能执行该操作（审批须由企业主要负责人或安全管理人员进行，且不能审批自己的申请）。")
_CANCEL = Move("cancel", gettext_lazy("作废"), is_applicant_or_approver, gettext_lazy("申请人或审批人"),
               refusal=_REFUSAL, style="outline-danger")

TRANSITIONS = Workflow("ledgers.permit", {
    (S.APPLIED, S.CHECKED): Move("check", gettext_lazy("确认安全措施"), is_keeper, _KEEPER, _need_every_measure,
                                 accepts=("confirmed",), refusal=_REFUSAL),
    (S.CHECKED, S.APPROVED): Move("approve", gettext_lazy("批准作业"), is_approver, _APPROVER, refusal=_REFUSAL),
    # sent back: measures not adequate
    (S.CHECKED, S.APPLIED): Move("send_back", gettext_lazy("退回申请人"), is_approver, _APPROVER, note_required=True,
                                note_hint=gettext_lazy("退回时请写明原因。"), refusal=_REFUSAL, style="outline-danger"),
    (S.APPROVED, S.CLOSED): Move("close", gettext_lazy("作业结束，关闭票证"), is_keeper, _KEEPER, refusal=_REFUSAL),
    (S.APPLIED, S.CANCELLED): _CANCEL,
    (S.CHECKED, S.CANCELLED): _CANCEL,
}, choices=S, initial=(S.APPLIED,),
    not_allowed=lambda state, to, action: _("票证当前为“%(s)s”，不能执行该操作。") % {"s": S(state).label})
OPEN = (S.APPLIED, S.CHECKED, S.APPROVED)


def allowed(actor: Any, permit: Any) -> list[str]:
    """The statuses this actor may move the permit to now."""
    return [to for to, _move in TRANSITIONS.allowed(actor, permit)]
