"""The accident record's states (core.workflow).

registered (登记) → investigating (成立调查组，开始调查) → reported (调查报告提交: the report attached, the cause
written; the direct loss it establishes re-grades the accident) → closed (批复结案: the approval date starts the
one-year 整改评估 deadline) → evaluated (整改评估: 《生产安全事故防范和整改措施落实情况评估办法》, within one year of the
批复). A report may be sent back for more investigation (退回补充调查, with a reason).

Investigation is government's: 条例第十九条 (一般事故由县级人民政府负责调查, or a body it entrusts), so the campaign
office and the regulating departments make these moves; a township registers accidents and reports casualties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accidents.choices import Status
from accounts.choices import Role
from core.workflow import Move, Workflow

INVESTIGATORS = (Role.OFFICE, Role.REGULATOR)
REGISTRARS = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)


def is_investigator(actor: Any, accident: Any) -> bool:
    return actor is not None and actor.has_role(*INVESTIGATORS)


def _needs_report(accident: Any, data: dict[str, Any]) -> None:
    from accidents.choices import AttachmentRole
    from core.uploads import attachments_for

    errors = {}
    if not str(data.get("cause") or "").strip():
        errors["cause"] = _("请写明事故原因。")
    if not attachments_for(accident, AttachmentRole.REPORT).exists():
        errors["__all__"] = _("请先上传事故调查报告。")
    if errors:
        raise ValidationError(errors)


def _needs_approval(accident: Any, data: dict[str, Any]) -> None:
    approved = data.get("approved_on")
    if not isinstance(approved, dt.date):
        raise ValidationError({"approved_on": _("请填写调查报告的批复日期。")})
    if approved > timezone.localdate():
        raise ValidationError({"approved_on": _("批复日期不能晚于今天。")})
    if approved < accident.occurred_on:
        raise ValidationError({"approved_on": _("批复日期不能早于事故发生日期。")})


def _needs_evaluation(accident: Any, data: dict[str, Any]) -> None:
    if not str(data.get("evaluation") or "").strip():
        raise ValidationError({"evaluation": _("请填写整改评估结论。")})


WHO = gettext_lazy("安委办或行业监管部门")

ACCIDENT_TRANSITIONS = Workflow("accidents.accident", {
    (Status.REGISTERED, Status.INVESTIGATING): Move(
        "investigate", gettext_lazy("成立调查组，开始调查"), is_investigator, WHO),
    (Status.INVESTIGATING, Status.REPORTED): Move(
        "report", gettext_lazy("提交调查报告"), is_investigator, WHO, needs=_needs_report,
        accepts=("cause", "direct_loss")),
    (Status.REPORTED, Status.INVESTIGATING): Move(
        "reopen", gettext_lazy("退回补充调查"), is_investigator, WHO, note_required=True, style="warning"),
    (Status.REPORTED, Status.CLOSED): Move(
        "close", gettext_lazy("批复结案"), is_investigator, WHO, needs=_needs_approval, accepts=("approved_on",),
        style="success"),
    (Status.CLOSED, Status.EVALUATED): Move(
        "evaluate", gettext_lazy("完成整改评估"), is_investigator, WHO, needs=_needs_evaluation,
        accepts=("evaluation",), style="success"),
}, choices=Status, initial=(Status.REGISTERED,))
