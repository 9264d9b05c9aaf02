"""The hazard state machine, as a table (house style 6).

``TRANSITIONS[(from, to)]`` is the one place that says which moves exist, who may make each of
them (depending on the hazard's grade and source) and what each needs, in the shape every workflow shares
(``core.workflow``). ``services.hazard_transition`` is the only code that changes ``Hazard.status``; pages and
the API both call it.

Who is who, for one hazard:
- the *responsible party* rectifies: the enterprise's own accounts; for a hazard without an
  enterprise, the unit that found it or the township (street, park) it lies in;
- an *authority* is a government account whose scope covers the hazard (its township, the
  department regulating its domain in that territory, the campaign office), or the unit that found it;
- the *acceptor* verifies rectification: for a major hazard only its supervising regulator
  (16号令第二十三条); for a general hazard the enterprise itself when it found the hazard in its
  own self-inspection (自查自改), otherwise the authority that found it or regulates it.

A hazard government found (an inspector, a township, a public report) is closed by government, also by 立查立改.
Each move reads only the request fields it names (``Move.accepts``); whatever else a request carries is dropped,
so a grade, deadline or status in the request never overrides the stored one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.formats import cn_date
from core.workflow import Move, Workflow
from hazards.choices import Grade, Source, Status
from orgs.choices import UnitKind

if TYPE_CHECKING:
    from hazards.models import Hazard

GOVERNMENT_ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)


# -- who --------------------------------------------------------------------------------------------
def is_enterprise_of(user: Any, hazard: Hazard) -> bool:
    return bool(hazard.enterprise_id and user.has_role(Role.ENTERPRISE) and user.enterprise_id == hazard.enterprise_id)


def _in_finder_unit(user: Any, hazard: Hazard) -> bool:
    return bool(hazard.finder_unit_id and user.unit_id == hazard.finder_unit_id and user.has_role(*GOVERNMENT_ROLES))


def _territorial(user: Any, hazard: Hazard) -> bool:
    return user.has_role(Role.TOWNSHIP, Role.OFFICE) and user.get_scope().covers_path(hazard.jurisdiction_path)


def _regulates(user: Any, hazard: Hazard) -> bool:
    if not user.has_role(Role.REGULATOR, Role.INSPECTOR):
        return False
    return any(hazard.jurisdiction_path.startswith(g.path) and hazard.domain_id in g.domain_ids
               for g in user.get_scope().domain_grants)


def is_responsible(user: Any, hazard: Hazard) -> bool:
    if hazard.enterprise_id:
        return is_enterprise_of(user, hazard)
    return _in_finder_unit(user, hazard) or (user.has_role(Role.TOWNSHIP) and _territorial(user, hazard))


def is_authority(user: Any, hazard: Hazard) -> bool:
    return _in_finder_unit(user, hazard) or _territorial(user, hazard) or _regulates(user, hazard)


def is_supervisor(user: Any, hazard: Hazard) -> bool:
    return bool(hazard.supervisor_unit_id and user.has_role(Role.REGULATOR)
                and user.unit_id == hazard.supervisor_unit_id)


def found_by_enterprise(hazard: Hazard) -> bool:
    """Found by the enterprise itself (self-inspection, its own sensors …), not by an inspector or the public."""
    if not hazard.enterprise_id or hazard.source in (Source.GOVERNMENT, Source.PUBLIC_REPORT):
        return False
    return hazard.finder_unit_id is None or hazard.finder_unit.kind == UnitKind.ENTERPRISE


def self_managed(hazard: Hazard) -> bool:
    """A general hazard an enterprise found itself is verified and closed by the enterprise (自查自改)."""
    return hazard.grade == Grade.GENERAL and found_by_enterprise(hazard)


def is_acceptor(user: Any, hazard: Hazard) -> bool:
    if hazard.grade == Grade.MAJOR:
        return is_supervisor(user, hazard)
    if self_managed(hazard):
        return is_enterprise_of(user, hazard)
    return _in_finder_unit(user, hazard) or _regulates(user, hazard)


def may_assess(user: Any, hazard: Hazard) -> bool:
    # The enterprise grades what it found itself (and must report a major one); authorities grade anything.
    return is_authority(user, hazard) or (found_by_enterprise(hazard) and is_responsible(user, hazard))


def may_edit(user: Any, hazard: Hazard) -> bool:
    return is_responsible(user, hazard) or is_authority(user, hazard)


def may_fix_on_spot(user: Any, hazard: Hazard) -> bool:
    # A hazard found by government (an inspector, a township, a public report) is closed by government:
    # the enterprise may not accept it the normal way, so it may not close it on the spot either.
    return is_authority(user, hazard) or (found_by_enterprise(hazard) and is_responsible(user, hazard))


# -- what each move needs ---------------------------------------------------------------------------
def _need_grade(hazard: Hazard, data: dict[str, Any]) -> None:
    if data.get("grade") not in Grade.values:
        raise ValidationError({"grade": _("请选择隐患等级（一般事故隐患或重大事故隐患）。")})
    if data["grade"] == Grade.MAJOR:
        missing = [label for key, label in (("report_cause", _("隐患现状及其产生原因")),
                                            ("report_analysis", _("危害程度和整改难易程度分析")))
                   if not (data.get(key) or getattr(hazard, key) or "").strip()]
        if missing:
            raise ValidationError(_("重大事故隐患须报告监管部门，请填写：%(m)s。") % {"m": "、".join(missing)})


def _need_plan(hazard: Hazard, data: dict[str, Any]) -> None:
    plan = getattr(hazard, "plan", None)
    if plan is None:
        raise ValidationError(_("请先填写整改方案（五到位：责任、措施、资金、时限、预案）。"))
    missing = plan.missing(major=hazard.grade == Grade.MAJOR)
    if missing:
        raise ValidationError(_("整改方案不完整，请填写：%(m)s。") % {"m": "、".join(missing)})
    if hazard.grade == Grade.MAJOR and hazard.supervisor_unit_id is None:
        raise ValidationError(_("重大事故隐患尚未确定监管部门，无法开始整改。"))


def _need_result(hazard: Hazard, data: dict[str, Any]) -> None:
    if not (data.get("result") or "").strip():
        raise ValidationError({"result": _("请说明整改完成情况。")})


def _need_new_deadline(hazard: Hazard, data: dict[str, Any]) -> None:
    new = data.get("deadline")
    if new is None:
        raise ValidationError({"deadline": _("请填写延期后的整改期限。")})
    if hazard.deadline is not None and new <= hazard.deadline:
        raise ValidationError({"deadline": _("延期后的期限应晚于当前期限（%(d)s）。") % {"d": cn_date(hazard.deadline)}})


def _need_spot_fix(hazard: Hazard, data: dict[str, Any]) -> None:
    # Fixable on the spot is what makes a hazard general (16号令第三条); unassessed counts as general.
    # Only the stored grade counts: a grade in the request never reaches this move (see ``Move.accepts``).
    if (hazard.grade or Grade.GENERAL) != Grade.GENERAL:
        raise ValidationError(_("只有一般事故隐患可以立查立改；重大事故隐患须制定治理方案并经监管部门验收。"))
    from hazards.selectors import photo_roles

    roles = photo_roles(hazard)
    if "before" not in roles or "after" not in roles:
        raise ValidationError(_("立查立改须上传整改前和整改后的照片。"))


S = Status
_ACCEPTOR = gettext_lazy("验收单位（重大隐患为监管部门；企业自查的一般隐患为企业；其余为发现或监管单位）")
_VOID = Move("void", gettext_lazy("作废"), is_authority, gettext_lazy("属地、监管部门或发现单位"),
             note_required=True, style="outline-danger")
_EXTEND = Move("extend", gettext_lazy("批准延期"), is_acceptor, _ACCEPTOR, _need_new_deadline, note_required=True,
               style="outline-secondary", accepts=("deadline",))
_SPOT_FIX = Move("spot_fix", gettext_lazy("立查立改"), may_fix_on_spot,
                 gettext_lazy("整改责任单位（企业自查发现的）或检查单位"), _need_spot_fix, style="outline-success",
                 accepts=("result",))

TRANSITIONS = Workflow("hazards.hazard", {
    (S.REGISTERED, S.ASSESSED): Move("assess", gettext_lazy("评估定级"), may_assess,
                                     gettext_lazy("发现单位、属地、监管部门，或自查企业"), _need_grade,
                                     accepts=("grade", "report_cause", "report_analysis")),
    (S.ASSESSED, S.PLANNED): Move("plan", gettext_lazy("确定整改方案"), is_responsible,
                                  gettext_lazy("整改责任单位"), _need_plan),
    (S.PLANNED, S.RECTIFYING): Move("start", gettext_lazy("开始整改"), is_responsible,
                                    gettext_lazy("整改责任单位"), _need_plan),
    (S.RECTIFYING, S.APPLIED): Move("apply", gettext_lazy("申请验收"), is_responsible,
                                    gettext_lazy("整改责任单位"), _need_result,
                                    accepts=("result", "rectified_on")),
    (S.APPLIED, S.ACCEPTED): Move("accept", gettext_lazy("验收通过"), is_acceptor, _ACCEPTOR, style="success"),
    (S.APPLIED, S.RECTIFYING): Move("return", gettext_lazy("退回整改"), is_acceptor, _ACCEPTOR,
                                    note_required=True, style="outline-warning"),
    (S.ACCEPTED, S.CLOSED): Move("close", gettext_lazy("销号"), is_acceptor, _ACCEPTOR, style="success"),
    # 延期 keeps the state; the new deadline is approved by whoever verifies the hazard.
    (S.PLANNED, S.PLANNED): _EXTEND,
    (S.RECTIFYING, S.RECTIFYING): _EXTEND,
    # 立查立改: a general hazard fixed on the spot, closed in one step with before/after photos.
    (S.REGISTERED, S.CLOSED): _SPOT_FIX,
    (S.ASSESSED, S.CLOSED): _SPOT_FIX,
    (S.REGISTERED, S.VOIDED): _VOID,
    (S.ASSESSED, S.VOIDED): _VOID,
    (S.PLANNED, S.VOIDED): _VOID,
    (S.RECTIFYING, S.VOIDED): _VOID,
    (S.APPLIED, S.VOIDED): _VOID,
}, choices=Status, initial=(S.REGISTERED,), audit_action="hazards.{action}",
    not_allowed=lambda state, to, action: _("隐患当前为“%(f)s”，不能直接变为“%(t)s”。") % {
        "f": Status(state).label, "t": Status(to).label if to in Status.values else to})

ACTIONS = TRANSITIONS.actions


def move_for(hazard: Hazard, to: str) -> Move | None:
    return TRANSITIONS.move(hazard.status, to)


def available_moves(user: Any, hazard: Hazard) -> list[tuple[str, Move]]:
    """The moves this user may attempt now (requirements are checked when they try)."""
    return TRANSITIONS.allowed(user, hazard)


def target_for_action(hazard: Hazard, action: str) -> str | None:
    found = TRANSITIONS.find(hazard.status, action)
    return found[0] if found else None
