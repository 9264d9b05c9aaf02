"""The risk report's state machine, as a table (house style 6, shape of ``core.workflow``).

An enterprise files each report submitted (``services.report_submit``); a regulator or township
acknowledges it (签收), once. ``services.report_acknowledge`` is the only code that changes its status."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Move, Workflow
from risk.choices import ReportStatus

REVIEWERS = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)


def is_reviewer(actor: Any, report: Any) -> bool:
    return actor is not None and actor.has_role(*REVIEWERS)


TRANSITIONS = Workflow("risk.report", {
    (ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED): Move(
        "acknowledge", gettext_lazy("签收"), is_reviewer, gettext_lazy("监管部门或乡镇（街道）"),
        refusal=gettext_lazy("只有监管部门或乡镇（街道）可以签收风险报告。"), style="success"),
}, choices=ReportStatus, initial=(ReportStatus.SUBMITTED,),
    not_allowed=lambda state, to, action: _("该报告已签收。"))
