"""The tip's handling (安全生产法第七十三条: 受理、核查、形成书面材料; 16号令第二十一条: 移送 with a record):

received → assigned (分办: the office or the township over the place assigns it to the responsible department,
or handles it itself) | forwarded (移送: to another authority, recorded with a reason) | dismissed (不予受理, with
a reason) → verified (核查: the handling unit writes the verification record and whether the tip is true) →
replied (答复 to the reporter) → reward proposed (拟奖励: the office, amount from the reward rule, true tips
only) → approved (批准) → paid (发放, with the payout record); or closed (办结) without a reward.
A true tip becomes a hazard through ``services.tip_register_hazard`` (not a state: it may happen once the
verification is recorded)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Move, Workflow
from tips.choices import TipStatus


def _covers(actor: Any, tip: Any) -> bool:
    return actor.get_scope().covers_path(tip.jurisdiction_path)


def is_territorial(actor: Any, tip: Any) -> bool:
    """The office or the township (属地) whose territory holds the tip."""
    return actor is not None and actor.has_role(Role.OFFICE, Role.TOWNSHIP) and _covers(actor, tip)


def is_office(actor: Any, tip: Any) -> bool:
    return actor is not None and actor.has_role(Role.OFFICE) and _covers(actor, tip)


def is_handler(actor: Any, tip: Any) -> bool:
    """A member of the unit the tip is assigned to (regulator, inspector or the township's staff)."""
    return (actor is not None and tip.assigned_unit_id is not None and actor.unit_id == tip.assigned_unit_id
            and actor.has_role(Role.REGULATOR, Role.INSPECTOR, Role.TOWNSHIP, Role.OFFICE))


def is_territorial_or_handler(actor: Any, tip: Any) -> bool:
    return is_territorial(actor, tip) or is_handler(actor, tip)


def _needs_unit(tip: Any, data: dict[str, Any]) -> None:
    from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind

    unit = data.get("assigned_unit")
    if unit is None:
        raise ValidationError({"assigned_unit": _("请选择承办单位。")})
    if not unit.active or unit.collective or unit.kind not in (UnitKind.DEPARTMENT, UnitKind.OFFICE,
                                                                  *TERRITORIAL_UNIT_KINDS):
        raise ValidationError({"assigned_unit": _("承办单位须为负有安全生产监督管理职责的部门或属地乡镇（街道）。")})
    if unit.kind in TERRITORIAL_UNIT_KINDS and not tip.jurisdiction_path.startswith(unit.jurisdiction_path):
        raise ValidationError({"assigned_unit": _("只能分办给举报地点所在的乡镇（街道）。")})


def _needs_text(name: str, message: Any) -> Any:
    def needs(tip: Any, data: dict[str, Any]) -> None:
        if not str(data.get(name) or "").strip():
            raise ValidationError({name: str(message)})
    return needs


def _needs_verification(tip: Any, data: dict[str, Any]) -> None:
    errors = {}
    if not str(data.get("verification") or "").strip():
        errors["verification"] = _("请填写现场核查记录（时间、地点、核查人、核查情况）。")
    if data.get("confirmed") not in (True, False):
        errors["confirmed"] = _("请选择举报是否属实。")
    if errors:
        raise ValidationError(errors)


def _needs_reward(tip: Any, data: dict[str, Any]) -> None:
    from tips.services import reward_for

    if not tip.confirmed:
        raise ValidationError(_("只有经核查属实的举报才能给予奖励。"))
    amount, _basis = reward_for(tip)
    if not amount:
        raise ValidationError(_("奖励标准中没有适用于该举报的金额，请先设置奖励标准。"))


OFFICE = gettext_lazy("安委办")
TERRITORIAL = gettext_lazy("安委办或属地乡镇（街道）")
HANDLER = gettext_lazy("承办单位")
EITHER = gettext_lazy("属地或承办单位")

TRANSITIONS = Workflow("tips.tip", {
    (TipStatus.RECEIVED, TipStatus.ASSIGNED): Move(
        "assign", gettext_lazy("受理并分办"), is_territorial, TERRITORIAL, needs=_needs_unit,
        accepts=("assigned_unit",)),
    (TipStatus.RECEIVED, TipStatus.FORWARDED): Move(
        "forward", gettext_lazy("移送其他机关"), is_territorial, TERRITORIAL, note_required=True,
        needs=_needs_text("forwarded_to", gettext_lazy("请填写接收移送的机关。")), accepts=("forwarded_to",),
        style="secondary"),
    (TipStatus.RECEIVED, TipStatus.DISMISSED): Move(
        "dismiss", gettext_lazy("不予受理"), is_territorial, TERRITORIAL, note_required=True, style="danger"),
    (TipStatus.ASSIGNED, TipStatus.FORWARDED): Move(
        "forward", gettext_lazy("移送其他机关"), is_territorial_or_handler, EITHER, note_required=True,
        needs=_needs_text("forwarded_to", gettext_lazy("请填写接收移送的机关。")), accepts=("forwarded_to",),
        style="secondary"),
    (TipStatus.ASSIGNED, TipStatus.VERIFIED): Move(
        "verify", gettext_lazy("录入核查记录"), is_handler, HANDLER, needs=_needs_verification,
        accepts=("verification", "confirmed")),
    (TipStatus.VERIFIED, TipStatus.REPLIED): Move(
        "reply", gettext_lazy("答复举报人"), is_territorial_or_handler, EITHER,
        needs=_needs_text("reply", gettext_lazy("请填写答复内容。")), accepts=("reply",)),
    (TipStatus.REPLIED, TipStatus.REWARD_PROPOSED): Move(
        "propose", gettext_lazy("按标准拟定奖励"), is_office, OFFICE, needs=_needs_reward),
    (TipStatus.REPLIED, TipStatus.CLOSED): Move(
        "close", gettext_lazy("办结（不奖励）"), is_territorial, TERRITORIAL, style="secondary"),
    (TipStatus.REWARD_PROPOSED, TipStatus.REWARD_APPROVED): Move(
        "approve", gettext_lazy("批准奖励"), is_office, OFFICE, style="success"),
    (TipStatus.REWARD_PROPOSED, TipStatus.CLOSED): Move(
        "decline", gettext_lazy("不予奖励"), is_office, OFFICE, note_required=True, style="danger"),
    (TipStatus.REWARD_APPROVED, TipStatus.PAID): Move(
        "pay", gettext_lazy("登记奖励发放"), is_office, OFFICE,
        needs=_needs_text("payout_ref", gettext_lazy("请填写发放凭证号。")), accepts=("payout_ref",),
        style="success"),
}, choices=TipStatus, initial=(TipStatus.RECEIVED,))
