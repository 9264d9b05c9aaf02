"""The check run's state machine (``core.workflow``): a run is recorded as a draft and submitted once; a submitted
run is append-only (no move leaves it). ``services.run_transition`` is the only code that changes its status."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checks.choices import RunStatus
from core.workflow import Move, Workflow


def is_checker(actor: Any, run: Any) -> bool:
    """Only the person who checked submits the run (an API token acts as its owner)."""
    return actor is not None and getattr(actor, "pk", None) is not None and run.checker_id == actor.pk


TRANSITIONS = Workflow("checks.run", {
    (RunStatus.DRAFT, RunStatus.SUBMITTED): Move(
        "submit", gettext_lazy("提交"), is_checker, gettext_lazy("检查人本人"),
        refusal=gettext_lazy("只有检查人本人可以提交检查记录。"), style="success", audit="checks.run_submit"),
}, choices=RunStatus, initial=(RunStatus.DRAFT,),
    not_allowed=lambda state, to, action: _("检查记录已提交，不能再修改。"))
