"""Home-page cards: what is overdue or due soon, per deadline source, in the viewer's scope; the office's board;
the 督办事项 a unit must do."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from escalation.selectors import due_summary, pending_decisions


def due_card(user: Any) -> dict[str, Any] | None:
    if not user.has_business_role:
        return None
    from escalation.views.board import BOARD_ROLES

    summary = due_summary(user)
    rows = [row for row in summary if row["overdue"] or row["due_soon"]]
    # The oldest standing count read (None when every figure was counted now): the card says when it was counted.
    stamps = [row["counted_at"] for row in summary if row["counted_at"] is not None]
    return {"rows": rows, "can_board": user.has_role(*BOARD_ROLES), "counted_at": min(stamps, default=None)}


def board_card(user: Any) -> dict[str, Any] | None:
    """The office's board at a glance: the measures awaiting its decision and the 督办事项 it assigned that are
    overdue or reported done (to close), each a link to the list behind it."""
    from django.db.models import Count, Q

    from accounts.choices import Role
    from escalation.choices import ItemStatus
    from escalation.models import SupervisionItem

    if not user.has_role(Role.OFFICE):
        return None
    today = timezone.localdate()
    items = SupervisionItem.objects.visible_to(user).aggregate(
        overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, deadline__lt=today)),
        done=Count("pk", filter=Q(status=ItemStatus.DONE)))
    # Counted within the board's own cap (``BoardView.count_cap``): a backlog of a million proposals is not counted per
    # request, and the card says what the board says.
    from core.paging import CappedPaginator
    from escalation.views.board import BoardView

    pending = CappedPaginator(pending_decisions(user), 1, cap=BoardView.count_cap)
    return {"pending": min(pending.count, pending.cap), "pending_capped": pending.capped, "items": items}


def my_supervision_card(user: Any) -> dict[str, Any] | None:
    """督办 for a township or a department: the 督办事项 assigned to its unit still to be done (overdue among them)."""
    from django.db.models import Count, Q

    from accounts.choices import Role
    from escalation.choices import ItemStatus
    from escalation.models import SupervisionItem

    if not user.has_role(Role.TOWNSHIP, Role.REGULATOR) or not user.unit_id:
        return None
    today = timezone.localdate()
    counts = SupervisionItem.objects.visible_to(user).filter(assignee_id=user.unit_id).aggregate(
        open=Count("pk", filter=Q(status=ItemStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, deadline__lt=today)))
    return {"counts": counts, "unit_id": user.unit_id}
