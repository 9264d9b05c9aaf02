"""The hazardous-work permit's state machine, as a table (house style 6).

applied --(keeper confirms every risk measure)--> checked --(approver, not the applicant)--> approved
--(keeper, after the work)--> closed. An approver may send a checked permit back; an open permit that is
not yet approved may be cancelled by its applicant or an approver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


TRANSITIONS: dict[tuple[str, str], Callable[[Any, Any], bool]] = {
    (S.APPLIED, S.CHECKED): is_keeper,
    (S.CHECKED, S.APPROVED): is_approver,
    (S.CHECKED, S.APPLIED): is_approver,  # sent back: measures not adequate
    (S.APPROVED, S.CLOSED): is_keeper,
    (S.APPLIED, S.CANCELLED): is_applicant_or_approver,
    (S.CHECKED, S.CANCELLED): is_applicant_or_approver,
}
OPEN = (S.APPLIED, S.CHECKED, S.APPROVED)
LABELS = {S.CHECKED: "确认安全措施", S.APPROVED: "批准作业", S.APPLIED: "退回申请人", S.CLOSED: "作业结束，关闭票证",
          S.CANCELLED: "作废"}


def allowed(actor: Any, permit: Any) -> list[str]:
    """The statuses this actor may move the permit to now."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == permit.status and who(actor, permit)]
