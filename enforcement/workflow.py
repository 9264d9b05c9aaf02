"""State machines of the enforcement module (core.workflow): the draw and the on-site inspection.

Draw: committed → drawn (抽取, once, from the revealed inputs matching the commitment) or void (作废, with a reason;
a drawn result is voided, never re-drawn: a new draw is committed instead). Every attempt at 抽取 is recorded as a
``DrawAttempt`` by ``services.draw_execute``, refused ones included.

Inspection (安全生产法第六十七、六十八条): planned → onsite (开始检查: the certificates shown are recorded, at least
two inspectors, 行政处罚法第四十二条) → recorded (形成记录: signed by the unit's head, or the refusal to sign
recorded) → closed (复查办结: every hazard found is closed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Move, Workflow
from enforcement.choices import CaseStatus, DrawStatus, InspectionStatus


def is_department_regulator(actor: Any, obj: Any) -> bool:
    """A regulator of the department that keeps the row."""
    return actor is not None and actor.has_role(Role.REGULATOR) and actor.unit_id == obj.department_id


def is_team_or_department(actor: Any, inspection: Any) -> bool:
    """An inspector of the inspection's team, or a regulator or inspector of its department."""
    if actor is None or not actor.has_role(Role.REGULATOR, Role.INSPECTOR):
        return False
    if actor.unit_id == inspection.department_id:
        return True
    return inspection.inspectors.filter(user_id=actor.pk).exists()


def _needs_reveal(draw: Any, data: dict[str, Any]) -> None:
    errors = {}
    for name, message in (("public_value", _("请填写公开随机源的取值。")),
                          ("operator_secret", _("请操作人输入承诺时的随机输入。")),
                          ("witness_secret", _("请见证人输入承诺时的随机输入。"))):
        if not str(data.get(name) or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)


def _needs_certificates(inspection: Any, data: dict[str, Any]) -> None:
    from enforcement.services import certificates_check

    certificates_check(inspection, data.get("shown") or [])


def _needs_signature(inspection: Any, data: dict[str, Any]) -> None:
    refused = bool(data.get("refused_to_sign"))
    if refused and not str(data.get("refusal_note") or "").strip():
        raise ValidationError({"refusal_note": _("被检查单位负责人拒绝签字的，须记录拒签情况（安全生产法第六十八条）。")})
    if not refused and not str(data.get("signer") or "").strip():
        raise ValidationError({"signer": _("请填写签字的被检查单位负责人，或记录其拒绝签字。")})


def _needs_hazards_closed(inspection: Any, data: dict[str, Any]) -> None:
    from hazards.choices import OPEN_STATUSES

    if not str(data.get("review_note") or "").strip():
        raise ValidationError({"review_note": _("请填写复查意见。")})
    if inspection.findings.filter(hazard__status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("本次检查发现的隐患尚未全部整改销号，不能复查办结。"))


DRAW_TRANSITIONS = Workflow("enforcement.draw", {
    (DrawStatus.COMMITTED, DrawStatus.DRAWN): Move(
        "execute", gettext_lazy("抽取"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_reveal, accepts=("public_value", "operator_secret", "witness_secret"), style="success",
        audit="enforcement.draw_execute"),
    (DrawStatus.COMMITTED, DrawStatus.VOID): Move(
        "cancel", gettext_lazy("作废"), is_department_regulator, gettext_lazy("本部门监管人员"), note_required=True,
        style="danger", audit="enforcement.draw_void"),
    (DrawStatus.DRAWN, DrawStatus.VOID): Move(
        "cancel", gettext_lazy("作废"), is_department_regulator, gettext_lazy("本部门监管人员"), note_required=True,
        style="danger", audit="enforcement.draw_void"),
}, choices=DrawStatus, initial=(DrawStatus.COMMITTED,))


INSPECTION_TRANSITIONS = Workflow("enforcement.inspection", {
    (InspectionStatus.PLANNED, InspectionStatus.ONSITE): Move(
        "start", gettext_lazy("出示证件，开始检查"), is_team_or_department, gettext_lazy("检查组或本部门人员"),
        needs=_needs_certificates, accepts=("shown",), audit="enforcement.inspection_start"),
    (InspectionStatus.ONSITE, InspectionStatus.RECORDED): Move(
        "record", gettext_lazy("形成检查记录"), is_team_or_department, gettext_lazy("检查组或本部门人员"),
        needs=_needs_signature, accepts=("signer", "refused_to_sign", "refusal_note", "summary", "review_days"),
        audit="enforcement.inspection_record"),
    (InspectionStatus.RECORDED, InspectionStatus.CLOSED): Move(
        "close", gettext_lazy("复查办结"), is_team_or_department, gettext_lazy("检查组或本部门人员"),
        needs=_needs_hazards_closed, accepts=("review_note",), style="success",
        audit="enforcement.inspection_close"),
}, choices=InspectionStatus, initial=(InspectionStatus.PLANNED,))


# -- the penalty case (行政处罚法) ----------------------------------------------------------------------------

def _needs_findings(case: Any, data: dict[str, Any]) -> None:
    errors = {}
    if not str(data.get("facts") or case.facts or "").strip():
        errors["facts"] = _("请写明违法事实。")
    if not str(data.get("basis") or case.basis or "").strip():
        errors["basis"] = _("请写明处罚依据（法律条款）。")
    if not (data.get("penalty_types") or case.penalty_types):
        errors["penalty_types"] = _("请选择拟作出的处罚种类。")
    if errors:
        raise ValidationError(errors)


def _needs_statement(case: Any, data: dict[str, Any]) -> None:
    if not str(data.get("statement") or "").strip():
        raise ValidationError({"statement": _("请记录当事人的陈述、申辩或听证意见（放弃的也请注明）。")})


def _needs_date(name: str, message: Any) -> Any:
    def needs(case: Any, data: dict[str, Any]) -> None:
        if not data.get(name):
            raise ValidationError({name: str(message)})
    return needs


CASE_TRANSITIONS = Workflow("enforcement.case", {
    (CaseStatus.FILED, CaseStatus.INVESTIGATING): Move(
        "investigate", gettext_lazy("开始调查取证"), is_department_regulator, gettext_lazy("本部门监管人员"),
        audit="enforcement.case_investigate"),
    (CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED): Move(
        "notify", gettext_lazy("告知拟处罚"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_findings, accepts=("facts", "basis", "penalty_types", "fine_amount", "confiscation_amount"),
        audit="enforcement.case_notify"),
    (CaseStatus.NOTIFIED, CaseStatus.HEARING): Move(
        "hear", gettext_lazy("记录陈述申辩/听证"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_statement, accepts=("statement",), audit="enforcement.case_hear"),
    (CaseStatus.NOTIFIED, CaseStatus.DECIDED): Move(
        "decide", gettext_lazy("作出处罚决定"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_findings, accepts=("facts", "basis", "penalty_types", "fine_amount", "confiscation_amount"),
        style="danger", audit="enforcement.case_decide"),
    (CaseStatus.HEARING, CaseStatus.DECIDED): Move(
        "decide", gettext_lazy("作出处罚决定"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_findings, accepts=("facts", "basis", "penalty_types", "fine_amount", "confiscation_amount"),
        style="danger", audit="enforcement.case_decide"),
    (CaseStatus.DECIDED, CaseStatus.SERVED): Move(
        "serve", gettext_lazy("送达"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_date("served_on", gettext_lazy("请填写送达日期。")), accepts=("served_on",),
        audit="enforcement.case_serve"),
    (CaseStatus.SERVED, CaseStatus.EXECUTED): Move(
        "execute", gettext_lazy("执行完毕"), is_department_regulator, gettext_lazy("本部门监管人员"),
        needs=_needs_date("executed_note", gettext_lazy("请填写执行情况。")), accepts=("executed_note",),
        audit="enforcement.case_execute"),
    (CaseStatus.EXECUTED, CaseStatus.CLOSED): Move(
        "close", gettext_lazy("结案"), is_department_regulator, gettext_lazy("本部门监管人员"), style="success",
        audit="enforcement.case_close"),
}, choices=CaseStatus, initial=(CaseStatus.FILED,))
