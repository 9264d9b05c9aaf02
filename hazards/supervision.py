"""挂牌督办 and the 一单N制 steps (交办、台账、销号、通报 …): writes and the periodic 通报."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.formats import cn_date
from hazards import workflow
from hazards.choices import OPEN_STATUSES, OVERDUE_STATUSES, Grade, SupervisionLevel
from hazards.models import (
    Hazard,
    HazardEvent,
    Supervision,
    SupervisionCircular,
    SupervisionRecord,
    SupervisionTemplate,
)
from hazards.models import SupervisionStep as Step
from hazards.notify import notify_after_commit
from orgs.choices import UnitKind
from orgs.models import Unit

LISTING_ROLES = (Role.OFFICE, Role.REGULATOR)
FIELDS = ["hazard", "template", "level", "supervising_unit", "assigning_unit", "responsible_unit", "deadline",
          "requirements", "document_number", "listed_at", "removed_at"]


def default_template() -> SupervisionTemplate:
    template = SupervisionTemplate.objects.filter(is_default=True).first() or SupervisionTemplate.objects.first()
    if template is None:
        raise ValidationError(_("尚未配置“一单N制”模板，请先运行 manage.py load_supervision_templates。"))
    return template


def may_list(user: Any, hazard: Hazard) -> bool:
    return user.has_role(*LISTING_ROLES) and workflow.is_authority(user, hazard)


def _record(supervision: Supervision, kind: str, actor: Any, note: str = "", data: dict[str, Any] | None = None,
            now: dt.datetime | None = None) -> SupervisionRecord:
    return SupervisionRecord.objects.create(
        supervision=supervision, kind=kind, note=note, data=data or {}, actor=actor,
        actor_unit=actor.unit.name if actor is not None and actor.unit_id else "", at=now or timezone.now())


@transaction.atomic
def supervision_list(*, actor: Any, hazard: Hazard, level: str, supervising_unit: Unit, deadline: dt.date,
                     requirements: str = "", document_number: str = "", assigning_unit: Unit | None = None,
                     template: SupervisionTemplate | None = None, today: dt.date | None = None) -> Supervision:
    """挂牌督办: list an open major hazard; the 交办单 and the 台账 entry are its first two records."""
    hazard = Hazard.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=hazard.pk)
    if not Hazard.objects.visible_to(actor).filter(pk=hazard.pk).exists():
        raise PermissionDenied(_("该隐患不在您的管辖范围内。"))
    if not may_list(actor, hazard):
        raise PermissionDenied(_("只有安委办或负有监管职责的部门可以挂牌督办。"))
    if hazard.grade != Grade.MAJOR or hazard.status not in OPEN_STATUSES:
        raise ValidationError(_("只有未销号的重大事故隐患可以挂牌督办。"))
    if Supervision.objects.filter(hazard=hazard, removed_at__isnull=True).exists():
        raise ValidationError(_("该隐患已在挂牌督办中。"))
    errors: dict[str, str] = {}
    if level not in SupervisionLevel.values:
        errors["level"] = _("请选择督办级别。")
    if supervising_unit is None or supervising_unit.kind not in (UnitKind.DEPARTMENT, UnitKind.OFFICE,
                                                                 UnitKind.COMMITTEE):
        errors["supervising_unit"] = _("督办单位应为安委会、安委办或负有监管职责的部门。")
    if deadline is None or deadline < (today or timezone.localdate()):
        errors["deadline"] = _("督办整改期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    template = template or default_template()
    assigning_unit = assigning_unit or actor.unit
    if assigning_unit is None:
        raise ValidationError(_("交办单位不能为空。"))
    now = timezone.now()
    supervision = Supervision.objects.create(
        hazard=hazard, template=template, level=level, supervising_unit=supervising_unit,
        assigning_unit=assigning_unit, responsible_unit=hazard.where, deadline=deadline,
        requirements=requirements.strip(), document_number=document_number.strip(), listed_at=now, listed_by=actor)
    kinds = set(template.steps.values_list("kind", flat=True))
    sheet = {"responsible_unit": supervision.responsible_unit, "assigning_unit": assigning_unit.name,
             "supervising_unit": supervising_unit.name, "deadline": deadline.isoformat()}
    if Step.Kind.ASSIGN in kinds:
        _record(supervision, Step.Kind.ASSIGN, actor, _("下发隐患治理任务交办单"), sheet, now)
    if Step.Kind.LEDGER in kinds:
        _record(supervision, Step.Kind.LEDGER, actor, _("列入重大事故隐患治理台账"), {}, now)
    if supervising_unit.kind == UnitKind.DEPARTMENT and hazard.supervisor_unit_id != supervising_unit.pk:
        # The listed supervising department is the one that verifies and closes the hazard.
        before = audit.snapshot(hazard, ["supervisor_unit"])
        hazard.supervisor_unit = supervising_unit
        hazard.save(update_fields=["supervisor_unit", "updated_at"])
        audit.record(action="hazards.update", obj=hazard, changes=audit.diff(before, audit.snapshot(
            hazard, ["supervisor_unit"])))
    HazardEvent.objects.create(hazard=hazard, action="supervise", label=str(_("挂牌督办")), from_status=hazard.status,
                               to_status=hazard.status, actor=actor, actor_unit=assigning_unit.name,
                               note=requirements.strip(), data={**sheet, "level": level}, at=now)
    audit.record(action="hazards.supervise", obj=supervision,
                 changes=audit.diff({}, audit.snapshot(supervision, FIELDS)))
    users = list(hazard.enterprise.users.all()) if hazard.enterprise_id else []
    notify_after_commit(title=_("挂牌督办：%(w)s") % {"w": hazard.where}, kind="escalation",
            body=_("督办单位：%(s)s；整改期限：%(d)s") % {"s": supervising_unit.name, "d": cn_date(deadline)},
            url=f"/hazards/{hazard.pk}/", users=users, units=[supervising_unit], obj=hazard,
            dedupe_key=f"hazard-supervision-{supervision.pk}")
    return supervision


@transaction.atomic
def supervision_record(*, actor: Any, supervision: Supervision, kind: str, note: str) -> SupervisionRecord:
    """A follow-up or a step of the template (督办、巡查追责、月报 …)."""
    supervision = Supervision.objects.select_for_update().select_related("hazard").get(pk=supervision.pk)
    if not Supervision.objects.visible_to(actor).filter(pk=supervision.pk).exists():
        raise PermissionDenied(_("该督办事项不在您的管辖范围内。"))
    if not may_list(actor, supervision.hazard):
        raise PermissionDenied(_("只有安委办或负有监管职责的部门可以记录督办情况。"))
    if supervision.removed_at is not None:
        raise ValidationError(_("该隐患已摘牌，不能再记录督办情况。"))
    allowed = set(supervision.template.steps.values_list("kind", flat=True)) | {Step.Kind.SUPERVISE}
    if kind not in allowed:
        raise ValidationError({"kind": _("该督办制度不包含此环节。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写督办情况。")})
    record = _record(supervision, kind, actor, note.strip())
    audit.record(action="hazards.supervision_record", obj=supervision,
                 changes={"kind": [None, kind], "note": [None, note.strip()]})
    return record


def remove_on_close(*, hazard: Hazard, actor: Any, now: dt.datetime) -> None:
    """销号 removes the listing (摘牌); runs inside ``hazard_transition``'s transaction."""
    for supervision in Supervision.objects.select_for_update().filter(hazard=hazard, removed_at__isnull=True):
        supervision.removed_at = now
        supervision.removed_by = actor
        supervision.save(update_fields=["removed_at", "removed_by"])
        _record(supervision, Step.Kind.CLOSE, actor, _("隐患治理验收合格，予以销号、摘牌"), {}, now)
        audit.record(action="hazards.unlist", obj=supervision, changes={"removed_at": [None, audit.to_jsonable(now)]})


@transaction.atomic
def circular_issue(*, today: dt.date | None = None) -> SupervisionCircular | None:
    """通报: the listed hazards past their deadline, every ``circular_days`` (half a month by default)."""
    today = today or timezone.localdate()
    template = SupervisionTemplate.objects.filter(is_default=True).first()
    days = template.circular_days if template else 15
    last = SupervisionCircular.objects.order_by("-period_end").first()
    if last is not None and (today - last.period_end).days < days:
        return None
    start = last.period_end + dt.timedelta(days=1) if last else today - dt.timedelta(days=days - 1)
    active = (Supervision.objects.active().select_related("hazard", "hazard__enterprise", "supervising_unit")
              .order_by("supervising_unit__name", "deadline"))
    items = []
    overdue_ids = []
    for s in active:
        hz = s.hazard
        late = s.deadline < today or (hz.status in OVERDUE_STATUSES and hz.deadline is not None and hz.deadline < today)
        items.append({"supervision": s.pk, "hazard": hz.pk, "number": hz.number, "where": hz.where,
                      "description": hz.description[:120], "supervising_unit": s.supervising_unit.name,
                      "deadline": s.deadline.isoformat(), "status": hz.get_status_display(), "overdue": late,
                      "days_overdue": max(0, (today - s.deadline).days)})
        if late:
            overdue_ids.append(s.pk)
    circular = SupervisionCircular.objects.create(period_start=start, period_end=today, items=items,
                                                  overdue_count=len(overdue_ids), open_count=len(items))
    now = timezone.now()
    for s in active:
        if s.pk in overdue_ids and s.template.steps.filter(kind=Step.Kind.CIRCULAR).exists():
            _record(s, Step.Kind.CIRCULAR, None, _("逾期未完成治理任务，予以通报（%(p)s）") % {
                "p": f"{start}—{today}"}, {"circular": circular.pk}, now)
    audit.record(action="hazards.circular_issue", obj=circular, changes={"open": [None, len(items)],
                                                                   "overdue": [None, len(overdue_ids)]})
    if overdue_ids:
        # The county-wide count goes to the campaign office only; each supervising unit is told its own count.
        offices = list(Unit.objects.filter(kind=UnitKind.OFFICE, active=True, collective=False))
        notify_after_commit(title=_("重大事故隐患挂牌督办通报：%(n)s 项逾期") % {"n": len(overdue_ids)}, kind="overdue",
                url=f"/hazards/bulletins/{circular.pk}/", units=offices, obj=circular,
                dedupe_key=f"hazard-circular-{circular.pk}")
        per_unit: dict[Unit, int] = {}
        for s in active:
            if s.pk in overdue_ids and s.supervising_unit not in offices:
                per_unit[s.supervising_unit] = per_unit.get(s.supervising_unit, 0) + 1
        for unit, count in per_unit.items():
            notify_after_commit(title=_("重大事故隐患挂牌督办通报：本单位督办的 %(n)s 项逾期") % {"n": count}, kind="overdue",
                    url=f"/hazards/bulletins/{circular.pk}/", units=[unit], obj=circular,
                    dedupe_key=f"hazard-circular-{circular.pk}-{unit.pk}")
    return circular
