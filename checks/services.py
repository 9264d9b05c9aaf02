"""Writes of the checks app. Each is keyword-only, atomic and audited; a run's status changes only in
``run_transition`` (through ``core.workflow.transition``).

Who may do what:

* the library (national standards, seed lists) is loaded by ``checks.loaders``; the office confirms 待核 items;
* the office and departments publish their own lists (form or .xlsx import); an enterprise copies a list and
  extends its copy; a list that has been run against never changes again (``checklist_new_version``);
* an enterprise account checks its own enterprise; a government account (office, department, township, park,
  grid member, inspector) checks enterprises and premises it sees;
* a failed item becomes a hazard through ``hazards.services.hazard_register`` (found by the enterprise itself or
  by government, with the rules that follow from that), or a 立查立改 record when the item allows it."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from checks import rollup, workflow
from checks.choices import (
    PERIODIC,
    SHIFTS_PER_DAY,
    CheckerLevel,
    Disposal,
    Frequency,
    ItemType,
    ListKind,
    Outcome,
    RunStatus,
)
from checks.models import (
    CheckItem,
    Checklist,
    CheckPlan,
    CheckRun,
    DueCheck,
    FrequencyRule,
    ItemResult,
    OnSpotFix,
    Premises,
)
from core import audit
from core.uploads import attach, check_upload
from core.workflow import Step, transition

GOVERNMENT_ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
PUBLISHERS = (Role.OFFICE, Role.REGULATOR)
ITEM_FIELDS = ["clause", "section", "text", "item_type", "quantity", "unit", "min_value", "max_value", "reference",
               "photo_required", "major_hazard_criterion", "on_spot_allowed", "note"]
PLAN_AUDITED = ["title", "enterprise", "premises", "checklist", "risk_point", "frequency", "checker_level",
                "responsible", "unit", "starts_on", "ends_on", "due_on", "active", "campaign"]
# A common practice choice (provincial 双重预防 guidance, e.g. 一班三检 for major risks), not a national rule:
# the office changes it on the frequency page (FrequencyRule rows override these).
DEFAULT_FREQUENCY = {"red": Frequency.SHIFT, "orange": Frequency.DAILY, "yellow": Frequency.WEEKLY,
                     "blue": Frequency.MONTHLY}
# Who checks a measure follows the level the measure is held at (risk.ControlLevel → CheckerLevel).
LEVEL_FROM_CONTROL = {"company": CheckerLevel.COMPANY, "workshop": CheckerLevel.WORKSHOP, "team": CheckerLevel.TEAM,
                      "post": CheckerLevel.POST}
MAX_PHOTOS = 6


def is_government(actor: Any) -> bool:
    return actor is not None and actor.has_role(*GOVERNMENT_ROLES)


def is_enterprise_user(actor: Any) -> bool:
    return actor is not None and actor.has_role(Role.ENTERPRISE) and bool(actor.enterprise_id) \
        and not is_government(actor)


def _visible(model: Any, actor: Any, pk: int) -> bool:
    return model.objects.visible_to(actor).filter(pk=pk).exists()


# -- the library --------------------------------------------------------------------------------------------
def may_edit_list(actor: Any, checklist: Checklist) -> bool:
    if actor is None or checklist.pk is None:
        return actor is not None
    if checklist.kind in (ListKind.NATIONAL, ListKind.SEED, ListKind.RISK):
        return False
    if checklist.kind == ListKind.ENTERPRISE:
        return is_enterprise_user(actor) and actor.enterprise_id == checklist.enterprise_id
    return actor.has_role(Role.OFFICE) or (actor.has_role(*PUBLISHERS) and actor.unit_id is not None
                                           and actor.unit_id == checklist.owner_unit_id)


def _require_unused(checklist: Checklist) -> None:
    if checklist.runs.exists():
        raise ValidationError(_("该检查表已用于检查，不能再修改；请“生成新版本”后修改新版本。"))


@transaction.atomic
def checklist_publish(*, actor: Any, title: str, version: str, domains: Iterable[Any] = (), document_number: str = "",
                      notes: str = "", key: str = "") -> Checklist:
    """The office or a department publishes a list of its own (items added next, by form or import)."""
    if actor is None or not actor.has_role(*PUBLISHERS) or not actor.unit_id:
        raise PermissionDenied(_("只有安委办和行业监管部门可以发布检查表。"))
    title, version = (title or "").strip(), (version or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写检查表名称。")
    if not version:
        errors["version"] = _("请填写版本（如 2026）。")
    if errors:
        raise ValidationError(errors)
    key = key or f"unit{actor.unit_id}-{uuidlib.uuid4().hex[:12]}"
    if Checklist.objects.filter(key=key, version=version, enterprise__isnull=True).exists():
        raise ValidationError({"version": _("该检查表已有此版本。")})
    checklist = Checklist(key=key, version=version, kind=ListKind.PUBLISHED, title=title, issuer=actor.unit.name,
                          document_number=(document_number or "").strip(), notes=(notes or "").strip(),
                          owner_unit=actor.unit, created_by=actor).copy_scope_keys()
    checklist.save()
    checklist.domains.set(list(domains))
    audit.record(action="checks.checklist_publish", obj=checklist,
                 changes={"title": [None, title], "version": [None, version]})
    return checklist


@transaction.atomic
def checklist_copy(*, actor: Any, source: Checklist, enterprise: Any = None) -> Checklist:
    """An enterprise copies a library list to extend it; the copy starts from the source's items."""
    enterprise = enterprise or getattr(actor, "enterprise", None)
    if not is_enterprise_user(actor) or enterprise is None or enterprise.pk != actor.enterprise_id:
        raise PermissionDenied(_("只有企业账号可以复制检查表到本企业。"))
    if not _visible(Checklist, actor, source.pk):
        raise PermissionDenied
    key = f"{source.key}-e{enterprise.pk}"[:80]
    version = source.version
    n = 1
    while Checklist.objects.filter(enterprise=enterprise, key=key, version=version).exists():
        n += 1
        version = f"{source.version}-{n}"
    copy = Checklist(key=key, version=version, kind=ListKind.ENTERPRISE, title=source.title, issuer=enterprise.name,
                     document_number=source.document_number, notes=source.notes, enterprise=enterprise,
                     copied_from=source, created_by=actor).copy_scope_keys()
    copy.save()
    copy.domains.set(list(source.domains.all()))
    _copy_items(source, copy)
    audit.record(action="checks.checklist_copy", obj=copy, changes={"copied_from": [None, source.pk]})
    return copy


def _copy_items(source: Checklist, target: Checklist) -> None:
    CheckItem.objects.bulk_create([
        CheckItem(checklist=target, position=i.position, clause=i.clause, section=i.section, text=i.text,
                  item_type=i.item_type, quantity=i.quantity, unit=i.unit, min_value=i.min_value,
                  max_value=i.max_value, reference=i.reference, photo_required=i.photo_required,
                  major_hazard_criterion=i.major_hazard_criterion, evidence=i.evidence,
                  clause_verified=i.clause_verified, verified_at=i.verified_at, verified_by=i.verified_by,
                  on_spot_allowed=i.on_spot_allowed, domain=i.domain, keywords=i.keywords, note=i.note,
                  measure=i.measure)
        for i in source.items.all()])


@transaction.atomic
def checklist_new_version(*, actor: Any, checklist: Checklist, version: str) -> Checklist:
    """A used list never changes (its runs imply their passes from it): edits go to a new version."""
    if actor is not None and not may_edit_list(actor, checklist):
        raise PermissionDenied(_("您不能修改该检查表。"))
    version = (version or "").strip()
    if not version:
        raise ValidationError({"version": _("请填写新版本号。")})
    clash = Checklist.objects.filter(key=checklist.key, version=version)
    clash = clash.filter(enterprise=checklist.enterprise) if checklist.enterprise_id else clash.filter(
        enterprise__isnull=True)
    if clash.exists():
        raise ValidationError({"version": _("该检查表已有此版本。")})
    new = Checklist(key=checklist.key, version=version, kind=checklist.kind, title=checklist.title,
                    issuer=checklist.issuer, document_number=checklist.document_number, notes=checklist.notes,
                    owner_unit=checklist.owner_unit, enterprise=checklist.enterprise,
                    risk_point=checklist.risk_point, checker_level=checklist.checker_level,
                    copied_from=checklist.copied_from, previous=checklist, created_by=actor).copy_scope_keys()
    new.save()
    new.domains.set(list(checklist.domains.all()))
    _copy_items(checklist, new)
    Checklist.objects.filter(pk=checklist.pk).update(current=False)
    CheckPlan.objects.filter(checklist=checklist).update(checklist=new)
    audit.record(action="checks.checklist_version", obj=new, changes={"previous": [None, checklist.pk],
                                                                        "version": [checklist.version, version]})
    return new


def clean_item(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out = {k: v for k, v in values.items() if k in ITEM_FIELDS}
    for name in ("clause", "section", "text", "quantity", "unit", "reference", "note"):
        if name in out:
            out[name] = (out[name] or "").strip()
    if not out.get("text"):
        errors["text"] = _("请填写检查内容。")
    if out.get("item_type", ItemType.YES_NO) not in ItemType.values:
        errors["item_type"] = _("检查方式无效。")
    low, high = out.get("min_value"), out.get("max_value")
    if out.get("item_type") == ItemType.VALUE and low is None and high is None and not out.get("reference"):
        errors["min_value"] = _("测量值检查项须填写下限、上限或现场限值。")
    if low is not None and high is not None and low > high:
        errors["max_value"] = _("上限不能小于下限。")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def item_save(*, actor: Any, checklist: Checklist, item: CheckItem | None = None, **values: Any) -> CheckItem:
    """Add an item to (or change one of) a list its publisher or enterprise may edit, while it is unused."""
    if not may_edit_list(actor, checklist):
        raise PermissionDenied(_("您不能修改该检查表。"))
    _require_unused(checklist)
    values = clean_item(values)
    before = audit.snapshot(item, ITEM_FIELDS) if item is not None else {}
    if item is None:
        position = (checklist.items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = CheckItem(checklist=checklist, position=position)
    elif item.checklist_id != checklist.pk:
        raise PermissionDenied
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    audit.record(action="checks.item_save", obj=checklist,
                 changes={f"item{item.position}": audit.diff(before, audit.snapshot(item, ITEM_FIELDS))})
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: CheckItem) -> None:
    checklist = item.checklist
    if not may_edit_list(actor, checklist):
        raise PermissionDenied(_("您不能修改该检查表。"))
    _require_unused(checklist)
    label = f"{item.position} {item.text[:60]}"
    item.delete()
    audit.record(action="checks.item_delete", obj=checklist, changes={"item": [label, None]})


@transaction.atomic
def item_verify(*, actor: Any, item: CheckItem) -> CheckItem:
    """The office confirms a 待核 item against the official text: from now on a failure proposes 重大."""
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以核对判定标准条目。"))
    if not item.to_verify:
        raise ValidationError(_("该条目无需核对或已核对。"))
    item.verified_at, item.verified_by = timezone.now(), actor
    item.save(update_fields=["verified_at", "verified_by"])
    audit.record(action="checks.item_verify", obj=item.checklist,
                 changes={"verified": [None, f"{item.clause} {item.text[:60]}"]})
    return item


# -- premises -----------------------------------------------------------------------------------------------
@transaction.atomic
def premises_create(*, actor: Any, name: str, address: str, jurisdiction: Any, domain: Any, kind: str = "shop_home",
                    operator: str = "", phone: str = "") -> Premises:
    """A township, park or grid member records a place it checks (no registration needed)."""
    if not is_government(actor):
        raise PermissionDenied(_("只有政府部门、乡镇（街道、园区）和网格员可以登记检查场所。"))
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写场所名称。")
    if not (address or "").strip():
        errors["address"] = _("请填写地址。")
    if jurisdiction is None:
        errors["jurisdiction"] = _("请选择所在属地。")
    if domain is None:
        errors["domain"] = _("请选择行业领域。")
    if errors:
        raise ValidationError(errors)
    premises = Premises(name=name.strip(), address=address.strip(), jurisdiction=jurisdiction,
                        jurisdiction_path=jurisdiction.path, domain=domain, kind=kind, operator=(operator or "").strip(),
                        phone=(phone or "").strip(), created_by=actor)
    premises.save()
    if not _visible(Premises, actor, premises.pk):
        raise PermissionDenied(_("该场所不在您的管辖范围内。"))
    audit.record(action="checks.premises_create", obj=premises,
                 changes={"name": [None, premises.name], "address": [None, premises.address]})
    return premises


# -- plans --------------------------------------------------------------------------------------------------
def _target_domain(enterprise: Any, premises: Any, checklist: Checklist | None) -> Any:
    if premises is not None:
        return premises.domain
    domains = list(enterprise.domains.all())
    if checklist is not None and checklist.pk:
        wanted = {d.pk for d in checklist.domains.all()}
        for d in domains:
            if d.pk in wanted:
                return d
    if domains:
        return domains[0]
    raise ValidationError(_("该企业尚未登记行业领域，无法安排检查。"))


def may_check(actor: Any, *, enterprise: Any = None, premises: Any = None) -> bool:
    from enterprises.models import Enterprise

    if actor is None or not getattr(actor, "has_business_role", False):
        return False
    if enterprise is not None:
        if is_enterprise_user(actor):
            return actor.enterprise_id == enterprise.pk
        return is_government(actor) and Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
    if premises is not None:
        return is_government(actor) and _visible(Premises, actor, premises.pk)
    return False


def _one_target(enterprise: Any, premises: Any) -> None:
    if (enterprise is None) == (premises is None):
        raise ValidationError(_("请选择一家企业或一个场所（二选一）。"))


@transaction.atomic
def plan_create(*, actor: Any, checklist: Checklist, frequency: str, checker_level: str, starts_on: dt.date,
                enterprise: Any = None, premises: Any = None, title: str = "", risk_point: Any = None,
                ends_on: dt.date | None = None, due_on: dt.date | None = None, responsible: str = "",
                unit: Any = None, campaign: str = "") -> CheckPlan:
    _one_target(enterprise, premises)
    if actor is not None and not may_check(actor, enterprise=enterprise, premises=premises):
        raise PermissionDenied(_("您不能为该企业或场所安排检查。"))
    if actor is not None and not _visible(Checklist, actor, checklist.pk):
        raise PermissionDenied
    if checklist.enterprise_id and checklist.enterprise_id != getattr(enterprise, "pk", None):
        raise ValidationError({"checklist": _("该检查表属于另一家企业。")})
    errors = {}
    if frequency not in Frequency.values:
        errors["frequency"] = _("请选择排查频次。")
    if checker_level not in CheckerLevel.values:
        errors["checker_level"] = _("请选择检查层级。")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if frequency in Frequency.values and frequency not in PERIODIC and due_on is None:
        errors["due_on"] = _("节假日前、复工复产前和专项检查须填写完成期限。")
    if due_on is not None and starts_on is not None and due_on < starts_on:
        errors["due_on"] = _("完成期限不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    if risk_point is not None and risk_point.enterprise_id != getattr(enterprise, "pk", None):
        raise ValidationError({"risk_point": _("风险点须属于该企业。")})
    if unit is None and is_government(actor) and actor.unit_id:
        unit = actor.unit
    plan = CheckPlan(enterprise=enterprise, premises=premises, checklist=checklist, risk_point=risk_point,
                     frequency=frequency, checker_level=checker_level, starts_on=starts_on, ends_on=ends_on,
                     due_on=due_on, responsible=(responsible or "").strip(), unit=unit, campaign=campaign.strip(),
                     title=(title or "").strip() or checklist.title, created_by=actor,
                     domain=_target_domain(enterprise, premises, checklist)).copy_scope_keys()
    plan.save()
    audit.record(action="checks.plan_create", obj=plan, changes=audit.diff({}, audit.snapshot(plan, PLAN_AUDITED)))
    return plan


@transaction.atomic
def plan_set_active(*, actor: Any, plan: CheckPlan, active: bool) -> CheckPlan:
    if actor is not None and not may_check(actor, enterprise=plan.enterprise, premises=plan.premises):
        raise PermissionDenied(_("您不能修改该排查计划。"))
    before = audit.snapshot(plan, ["active"])
    plan.active = active
    plan.save(update_fields=["active"])
    audit.record(action="checks.plan_update", obj=plan, changes=audit.diff(before, audit.snapshot(plan, ["active"])))
    return plan


@transaction.atomic
def campaign_push(*, actor: Any, checklist: Checklist, title: str, starts_on: dt.date, due_on: dt.date,
                  domain: Any = None, jurisdiction: Any = None) -> list[CheckPlan]:
    """A one-off special check (专项检查) pushed by the office, a department or a township to every enterprise of a
    domain and/or territory it sees: one plan each, due by ``due_on``, run by the enterprise itself."""
    from enterprises.models import Enterprise

    if not is_government(actor) or actor.has_role(Role.INSPECTOR) and not actor.has_role(*PUBLISHERS, Role.TOWNSHIP):
        raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以下发专项检查。"))
    if not _visible(Checklist, actor, checklist.pk) or checklist.enterprise_id:
        raise PermissionDenied
    enterprises = Enterprise.objects.visible_to(actor, grants=False)
    if domain is not None:
        enterprises = enterprises.filter(domains=domain)
    if jurisdiction is not None:
        enterprises = enterprises.filter(jurisdiction_path__startswith=jurisdiction.path)
    plans = []
    for enterprise in enterprises.distinct().order_by("pk"):
        plans.append(plan_create(actor=None, checklist=checklist, frequency=Frequency.ONCE,
                                 checker_level=CheckerLevel.COMPANY, starts_on=starts_on, due_on=due_on,
                                 enterprise=enterprise, title=title, campaign=title,
                                 unit=actor.unit if actor.unit_id else None))
    if not plans:
        raise ValidationError(_("没有符合条件的企业。"))
    audit.record(action="checks.campaign_push", obj=checklist,
                 changes={"title": [None, title], "enterprises": [None, len(plans)]})
    return plans


# -- risk measures → check items -----------------------------------------------------------------------------
def frequency_for(grade: str | None) -> str | None:
    if not grade:
        return None
    rule = FrequencyRule.objects.filter(grade=grade).values_list("frequency", flat=True).first()
    return rule or DEFAULT_FREQUENCY.get(grade)


@transaction.atomic
def frequency_rule_save(*, actor: Any, grade: str, frequency: str) -> FrequencyRule:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以设置排查频次规则。"))
    if grade not in DEFAULT_FREQUENCY or frequency not in PERIODIC:
        raise ValidationError(_("风险等级或排查频次无效。"))
    rule = FrequencyRule.objects.filter(grade=grade).first()
    before = rule.frequency if rule else DEFAULT_FREQUENCY[grade]
    rule = rule or FrequencyRule(grade=grade)
    rule.frequency = frequency
    rule.save()
    audit.record(action="checks.frequency_rule_save", obj=rule, changes={"frequency": [before, frequency]})
    return rule


@transaction.atomic
def risk_plans_sync(*, actor: Any, risk_point: Any, today: dt.date | None = None) -> list[CheckPlan]:
    """Every control measure of a risk point becomes a check item: one list per level the measures are held at
    (who checks follows the measure's level), one plan per list at the frequency the point's grade gives. A list
    already run against is never changed: a changed set of measures gives it a new version. Returns the active
    plans of the point."""
    from risk.services import can_edit

    if actor is not None and not (can_edit(actor, risk_point.enterprise)):
        raise PermissionDenied(_("您不能为该企业生成排查计划。"))
    today = today or timezone.localdate()
    frequency = frequency_for(risk_point.grade)
    if frequency is None:
        raise ValidationError(_("风险点“%(p)s”尚未评估等级，无法确定排查频次。") % {"p": risk_point.name})
    by_level: dict[str, list[Any]] = {}
    for measure in risk_point.measures.all().order_by("kind", "pk"):
        by_level.setdefault(LEVEL_FROM_CONTROL[measure.level], []).append(measure)
    plans = []
    for level, measures in by_level.items():
        key = f"risk-{risk_point.pk}-{level}"
        checklist = (Checklist.objects.filter(enterprise=risk_point.enterprise, key=key, current=True)
                     .order_by("-pk").first())
        wanted = [(m.pk, m.content) for m in measures]
        if checklist is not None:
            have = list(checklist.items.order_by("position").values_list("measure_id", "text"))
            if have != [(pk, _measure_text(text)) for pk, text in wanted]:
                if checklist.runs.exists():
                    checklist = checklist_new_version(actor=None, checklist=checklist,
                                                      version=_next_version(checklist))
                checklist.items.all().delete()
                _measure_items(checklist, measures)
        else:
            checklist = Checklist(key=key, version="1", kind=ListKind.RISK, enterprise=risk_point.enterprise,
                                  risk_point=risk_point, checker_level=level,
                                  title=_("%(p)s · %(l)s管控措施") % {"p": risk_point.name,
                                                                   "l": CheckerLevel(level).label},
                                  issuer=risk_point.enterprise.name).copy_scope_keys()
            checklist.save()
            _measure_items(checklist, measures)
        plan = CheckPlan.objects.filter(risk_point=risk_point, checker_level=level, checklist__key=key).first()
        if plan is None:
            plan = plan_create(actor=None, checklist=checklist, frequency=frequency, checker_level=level,
                               starts_on=today, enterprise=risk_point.enterprise, risk_point=risk_point,
                               responsible=measures[0].responsible, title=checklist.title)
        elif (plan.frequency, plan.checklist_id, plan.active) != (frequency, checklist.pk, True):
            before = audit.snapshot(plan, ["frequency", "checklist", "active"])
            plan.frequency, plan.checklist, plan.active = frequency, checklist, True
            plan.save(update_fields=["frequency", "checklist", "active"])
            audit.record(action="checks.plan_update", obj=plan,
                         changes=audit.diff(before, audit.snapshot(plan, ["frequency", "checklist", "active"])))
        plans.append(plan)
    stale = CheckPlan.objects.filter(risk_point=risk_point, active=True).exclude(pk__in=[p.pk for p in plans])
    for plan in stale:
        plan_set_active(actor=None, plan=plan, active=False)
    audit.record(action="checks.risk_sync", obj=risk_point,
                 changes={"plans": [None, len(plans)], "frequency": [None, frequency]})
    return plans


def _measure_text(content: str) -> str:
    return content


def _measure_items(checklist: Checklist, measures: Sequence[Any]) -> None:
    CheckItem.objects.bulk_create([
        CheckItem(checklist=checklist, position=n, text=_measure_text(m.content), measure=m,
                  section=str(m.get_kind_display()), note=_("责任人：%(r)s") % {"r": m.responsible})
        for n, m in enumerate(measures, start=1)])


def _next_version(checklist: Checklist) -> str:
    try:
        return str(int(checklist.version) + 1)
    except ValueError:
        return f"{checklist.version}-2"


def risk_plans_sync_enterprise(*, actor: Any, enterprise: Any, today: dt.date | None = None) -> tuple[int, list[str]]:
    """Sync every graded, active risk point of an enterprise; returns (plans, points skipped with the reason)."""
    from risk.models import RiskPoint

    count, skipped = 0, []
    for point in RiskPoint.objects.filter(enterprise=enterprise, archived=False).order_by("pk"):
        if not point.grade:
            skipped.append(_("%(p)s：尚未评估等级") % {"p": point.name})
            continue
        if not point.measures.exists():
            skipped.append(_("%(p)s：没有管控措施") % {"p": point.name})
            continue
        count += len(risk_plans_sync(actor=actor, risk_point=point, today=today))
    return count, skipped


# -- due checks ---------------------------------------------------------------------------------------------
def period_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(start, last day) of the period of ``frequency`` that holds ``day``."""
    if frequency in (Frequency.SHIFT, Frequency.DAILY):
        return day, day
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if frequency == Frequency.MONTHLY:
        start = day.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return start, nxt - dt.timedelta(days=1)
    if frequency == Frequency.QUARTERLY:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        nxt = (start + dt.timedelta(days=95)).replace(day=1)
        return start, nxt - dt.timedelta(days=1)
    raise ValueError(frequency)


def periods(plan: CheckPlan, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date, int]]:
    """The (period start, due date, shift) of every period of ``plan`` holding a day from ``first`` to ``last``
    within the plan's dates. A plan due once (节假日前, 复工复产前, 专项) has one period: its start to its due date."""
    if plan.frequency not in PERIODIC:
        start, due = plan.starts_on, plan.due_on or plan.starts_on
        return [(start, due, 0)] if start <= last and due >= first else []
    out: list[tuple[dt.date, dt.date, int]] = []
    day = max(first, plan.starts_on)
    end = min(last, plan.ends_on) if plan.ends_on else last
    shifts = range(1, SHIFTS_PER_DAY + 1) if plan.frequency == Frequency.SHIFT else (0,)
    while day <= end:
        start, due = period_of(plan.frequency, day)
        out += [(start, due, shift) for shift in shifts]
        day = due + dt.timedelta(days=1)
    return out


def _due_rows(plans: Iterable[CheckPlan], first: dt.date, last: dt.date) -> Iterable[DueCheck]:
    for plan in plans:
        for start, due, shift in periods(plan, first, last):
            yield DueCheck(plan_id=plan.pk, enterprise_id=plan.enterprise_id, premises_id=plan.premises_id,
                           risk_point_id=plan.risk_point_id, jurisdiction_id=plan.jurisdiction_id,
                           jurisdiction_path=plan.jurisdiction_path, domain_id=plan.domain_id, period_start=start,
                           due_on=due, shift=shift)


@transaction.atomic
def generate_due(*, today: dt.date | None = None, days: int = 1, batch: int = 5000,
                 plans: Any = None) -> int:
    """The nightly job: every active plan's periods starting from today to ``days`` ahead get their due checks
    (idempotent: an existing one is kept). One change-log entry for the batch: due checks are derived from the
    plans (each recorded when made) and the calendar."""
    today = today or timezone.localdate()
    last = today + dt.timedelta(days=max(days, 1) - 1)
    qs = plans if plans is not None else CheckPlan.objects.filter(active=True)
    qs = qs.filter(starts_on__lte=last).exclude(ends_on__lt=today).only(
        "pk", "enterprise_id", "premises_id", "risk_point_id", "jurisdiction_id", "jurisdiction_path", "domain_id",
        "frequency", "starts_on", "ends_on", "due_on").order_by("pk")
    # Every period generated here ends today or later: counting those before and after gives what was added
    # (``bulk_create`` with ``ignore_conflicts`` does not say which rows were new).
    ahead = DueCheck.objects.filter(due_on__gte=today)
    before = ahead.count()
    pending: list[DueCheck] = []
    for row in _due_rows(qs.iterator(chunk_size=batch), today, last):
        pending.append(row)
        if len(pending) >= batch:
            DueCheck.objects.bulk_create(pending, ignore_conflicts=True)
            pending = []
    if pending:
        DueCheck.objects.bulk_create(pending, ignore_conflicts=True)
    created = ahead.count() - before
    rollup.refresh_due(since=today)
    audit.record(action="checks.due_generate", object_type="checks.duecheck", object_repr="应检任务",
                 changes={"from": today.isoformat(), "to": last.isoformat(), "rows": created})
    return created


# -- runs ---------------------------------------------------------------------------------------------------
@dataclass
class ResultInput:
    """One answered item: ``outcome`` pass / fail / na (a value item's outcome follows from its limits);
    a failure names its ``disposal``: a hazard, or 立查立改 with the ``fix_action`` taken."""

    item: int
    outcome: str = Outcome.PASS
    value: decimal.Decimal | None = None
    note: str = ""
    disposal: str = ""
    fix_action: str = ""
    photos: list[UploadedFile] = field(default_factory=list)
    fix_photos: list[UploadedFile] = field(default_factory=list)


def _clean_results(checklist: Checklist, results: Sequence[ResultInput]) -> tuple[dict[int, CheckItem],
                                                                                  list[ResultInput]]:
    items = {i.pk: i for i in checklist.items.select_related("domain")}
    errors: list[str] = []
    seen: set[int] = set()
    for r in results:
        item = items.get(r.item)
        if item is None:
            errors.append(_("检查项 %(i)s 不属于该检查表。") % {"i": r.item})
            continue
        label = f"{item.position}. {item.text[:30]}"
        if r.item in seen:
            errors.append(_("检查项“%(l)s”重复填写。") % {"l": label})
        seen.add(r.item)
        if r.outcome not in Outcome.values:
            errors.append(_("检查项“%(l)s”的结论无效。") % {"l": label})
            continue
        r.note = (r.note or "").strip()[:500]
        if r.value is not None:
            if item.item_type != ItemType.VALUE:
                errors.append(_("检查项“%(l)s”不是测量值检查项。") % {"l": label})
                continue
            if not r.value.is_finite() or abs(r.value) >= 10 ** 10:
                errors.append(_("检查项“%(l)s”的测量值超出范围。") % {"l": label})
                continue
            if r.outcome != Outcome.NA and (item.min_value is not None or item.max_value is not None):
                r.outcome = Outcome.FAIL if item.fails_value(r.value) else Outcome.PASS
        elif item.item_type == ItemType.VALUE and r.outcome == Outcome.FAIL and not r.note and not item.reference:
            errors.append(_("检查项“%(l)s”不合格：请填写测量值或情况说明。") % {"l": label})
        if len(r.photos) > MAX_PHOTOS or len(r.fix_photos) > MAX_PHOTOS:
            errors.append(_("检查项“%(l)s”的照片不能超过 %(n)s 张。") % {"l": label, "n": MAX_PHOTOS})
        if r.outcome == Outcome.FAIL:
            if r.disposal not in Disposal.values:
                errors.append(_("检查项“%(l)s”不合格：请选择“登记隐患”或“立查立改”。") % {"l": label})
            elif r.disposal == Disposal.ON_SPOT:
                if not item.may_fix_on_spot:
                    errors.append(_("检查项“%(l)s”不允许立查立改（重大事故隐患判定项或检查表规定），须登记隐患。")
                                  % {"l": label})
                if not (r.fix_action or "").strip():
                    errors.append(_("检查项“%(l)s”立查立改：请填写整改措施。") % {"l": label})
                if not r.fix_photos:
                    errors.append(_("检查项“%(l)s”立查立改：请上传整改后的照片。") % {"l": label})
            if item.photo_required and not r.photos:
                errors.append(_("检查项“%(l)s”须拍照：请上传现场照片。") % {"l": label})
        else:
            r.disposal, r.fix_action, r.fix_photos = "", "", []
        for photo in [*r.photos, *r.fix_photos]:
            try:
                check_upload(photo, kinds=("image",))
            except ValidationError as exc:
                errors += exc.messages
    if errors:
        raise ValidationError(errors)
    return items, list(results)


def _pick_due(plan: CheckPlan | None, due: DueCheck | None, day: dt.date) -> DueCheck | None:
    if due is not None:
        if plan is None or due.plan_id != plan.pk:
            raise ValidationError(_("应检任务与排查计划不符。"))
        if due.run_id is not None:
            raise ValidationError(_("该应检任务已完成。"))
        return due
    if plan is None:
        return None
    return (DueCheck.objects.filter(plan=plan, run__isnull=True, period_start__lte=day, due_on__gte=day)
            .order_by("shift", "pk").first())


@transaction.atomic
def run_record(*, actor: Any, uuid: uuidlib.UUID | str, checklist: Checklist, results: Sequence[ResultInput] = (),
               enterprise: Any = None, premises: Any = None, plan: CheckPlan | None = None,
               due: DueCheck | None = None, risk_point: Any = None, performed_at: dt.datetime | None = None,
               place: str = "", longitude: decimal.Decimal | None = None, latitude: decimal.Decimal | None = None,
               note: str = "", submit: bool = True) -> tuple[CheckRun, bool]:
    """Record a whole run at once, under the client's UUID: a repeat of a submitted run returns it unchanged
    (``created`` False), so a phone may post the same run again after losing the answer. Items not listed passed.
    With ``submit`` the run is submitted in the same transaction and its failures become hazards or 立查立改
    records."""
    try:
        uuid = uuid if isinstance(uuid, uuidlib.UUID) else uuidlib.UUID(str(uuid))
    except (ValueError, AttributeError, TypeError) as exc:
        raise ValidationError({"uuid": _("记录标识无效。")}) from exc
    existing = CheckRun.objects.select_for_update().filter(uuid=uuid).first()
    if existing is not None:
        if existing.checker_id != getattr(actor, "pk", None):
            raise ValidationError({"uuid": _("该记录标识已被使用。")})
        if existing.status == RunStatus.SUBMITTED:
            return existing, False
        # A draft posted again is replaced by what the phone holds now.
        audit.record(action="checks.run_replace", obj=existing, changes={"uuid": [str(uuid), str(uuid)]})
        existing.results.all().delete()
        existing.delete()
    if plan is not None:
        enterprise, premises = plan.enterprise, plan.premises
        risk_point = risk_point or plan.risk_point
        if plan.checklist_id != checklist.pk:
            raise ValidationError({"checklist": _("检查表与排查计划不符。")})
    _one_target(enterprise, premises)
    if not may_check(actor, enterprise=enterprise, premises=premises):
        raise PermissionDenied(_("您不能检查该企业或场所。"))
    if not _visible(Checklist, actor, checklist.pk):
        raise PermissionDenied
    if checklist.enterprise_id and checklist.enterprise_id != getattr(enterprise, "pk", None):
        raise ValidationError({"checklist": _("该检查表属于另一家企业。")})
    if plan is not None and not _visible(CheckPlan, actor, plan.pk):
        raise PermissionDenied
    if risk_point is not None and risk_point.enterprise_id != getattr(enterprise, "pk", None):
        raise ValidationError({"risk_point": _("风险点须属于被检查的企业。")})
    now = timezone.now()
    performed_at = performed_at or now
    if performed_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"performed_at": _("检查时间不能晚于现在。")})
    if performed_at < now - dt.timedelta(days=366):
        raise ValidationError({"performed_at": _("检查时间不能早于一年前。")})
    for name, value, low, high in (("longitude", longitude, 73, 136), ("latitude", latitude, 3, 54)):
        if value is not None and not low <= value <= high:
            raise ValidationError({name: _("坐标超出中国境内范围。")})
    items, results = _clean_results(checklist, results)
    due = _pick_due(plan, due, timezone.localdate(performed_at))
    government = is_government(actor) and not is_enterprise_user(actor)
    run = CheckRun(uuid=uuid, checklist=checklist, plan=plan, enterprise=enterprise, premises=premises,
                   risk_point=risk_point, checker=actor, checker_unit=actor.unit if actor.unit_id else None,
                   by_government=government, place=(place or "").strip()[:200], performed_at=performed_at,
                   longitude=longitude, latitude=latitude, note=(note or "").strip(), items_total=len(items),
                   domain=plan.domain if plan is not None else _target_domain(enterprise, premises, checklist))
    run.copy_scope_keys()
    run.save()
    rows = [ItemResult(run=run, item_id=r.item, outcome=r.outcome, value=r.value, note=r.note,
                       disposal=r.disposal if r.outcome == Outcome.FAIL else "",
                       fix_action=(r.fix_action or "").strip()[:500] if r.outcome == Outcome.FAIL else "")
            for r in results if r.outcome != Outcome.PASS or r.value is not None or r.note]
    ItemResult.objects.bulk_create(rows)
    failures = [r for r in results if r.outcome == Outcome.FAIL]
    for r in results:
        for photo in r.photos:
            attach(actor=actor, owner=run, file=photo, role=f"item:{r.item}", kinds=("image",))
        for photo in r.fix_photos:
            attach(actor=actor, owner=run, file=photo, role=f"fix:{r.item}", kinds=("image",))
    audit.record(action="checks.run_record", obj=run, changes={
        "checklist": [None, checklist.pk], "target": [None, run.target_name], "uuid": [None, str(uuid)],
        "failed": [None, len(failures)], "due": [None, due.pk if due else None]})
    if submit:
        run = run_transition(run=run, actor=actor, due=due)
    return run, True


def run_transition(*, run: CheckRun, actor: Any, due: DueCheck | None = None) -> CheckRun:
    """Submit a draft run: the one place its status changes. Its failures become hazards or 立查立改 records and
    the due check it fulfils (given, or the open one of its plan on the day it was performed) is marked done."""

    def check(actor: Any, obj: CheckRun) -> None:
        if not _visible(CheckRun, actor, obj.pk):
            raise PermissionDenied(_("该检查记录不在您的范围内。"))

    def dispose(step: Step) -> None:
        _dispose(step.obj, actor, due, step.now)

    return transition(workflow=workflow.TRANSITIONS, obj=run, actor=actor, action="submit", check=check,
                      apply=_stamp, on_applied=dispose, audit_fields=["status", "submitted_at"])


def _stamp(step: Step) -> None:
    step.obj.submitted_at = step.now


def _dispose(run: CheckRun, actor: Any, due: DueCheck | None, now: dt.datetime) -> None:
    """The consequences of a submitted run: each failure becomes exactly one hazard or one 立查立改 record; the due
    check it fulfils is marked done; the run's counts are written."""
    rows = list(run.results.select_related("item"))
    failed = hazards = fixed = 0
    for row in rows:
        if row.outcome != Outcome.FAIL:
            continue
        failed += 1
        if row.disposal == Disposal.ON_SPOT:
            OnSpotFix.objects.create(result=row, run=run, action=row.fix_action or row.note or "", fixed_at=now)
            fixed += 1
        else:
            row.hazard = _hazard_for(run, actor, row)
            row.proposed_major = row.item.proposes_major
            row.save(update_fields=["hazard", "proposed_major"])
            hazards += 1
    run.items_failed, run.hazards_created, run.fixed_on_spot = failed, hazards, fixed
    run.items_na = sum(1 for row in rows if row.outcome == Outcome.NA)
    run.save(update_fields=["items_failed", "items_na", "hazards_created", "fixed_on_spot"])
    due = due if due is not None else _pick_due(run.plan, None, timezone.localdate(run.performed_at))
    done_on = timezone.localdate(run.performed_at)
    if due is not None:
        done = DueCheck.objects.filter(pk=due.pk, run__isnull=True).update(run=run, done_on=done_on)
        if not done:
            raise ValidationError(_("该应检任务已完成。"))
    rollup.run_submitted(run, due, done_on)


def _photos(run: CheckRun, item_id: int) -> list[Any]:
    from django.core.files import File

    from core.uploads import attachments_for

    return [File(a.file.open("rb"), name=a.original_name) for a in attachments_for(run, f"item:{item_id}")]


def _hazard_for(run: CheckRun, actor: Any, row: ItemResult) -> Any:
    from hazards import services as hazard_services
    from hazards.choices import Source

    checklist, item = run.checklist, row.item
    description = item.text
    if row.value is not None:
        description += _("（实测 %(v)s%(u)s，限值 %(l)s）") % {"v": f"{row.value.normalize():f}", "u": item.unit,
                                                           "l": item.limit_label}
    if row.note:
        description += f"：{row.note}"
    clause = f"{item.clause}" if item.clause else f"第{item.position}项"
    criterion = f"{checklist.citation}{clause}：{item.text}"
    if item.to_verify:
        criterion += _("（条文待核，未据此建议定级）")
    elif item.proposes_major:
        criterion += _("。依据该条款，建议判定为重大事故隐患。")
    ref = f"{checklist.document_number or checklist.title} {clause}".strip()[:120]
    place = run.place
    if not place and run.risk_point_id:
        place = run.risk_point.location or run.risk_point.name
    if run.premises_id:
        place = str(run.premises)[:200]
    hazard = hazard_services.hazard_register(
        actor=actor, enterprise=run.enterprise, jurisdiction=run.jurisdiction if run.premises_id else None,
        domain=run.domain, place=place[:200], description=description,
        source=Source.GOVERNMENT if run.by_government else Source.SELF_CHECK, found_at=run.performed_at,
        longitude=run.longitude, latitude=run.latitude, criterion=criterion, criterion_ref=ref,
        photos=_photos(run, item.pk))
    if run.risk_point_id:
        from risk import services as risk_services

        risk_services.hazard_link(actor=actor, risk_point=run.risk_point, hazard=hazard)
    return hazard
