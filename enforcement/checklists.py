"""Working through a checklist of the ``checks`` library on an inspection (issue 12 §4: 现场检查 works through the
checklist library of the self-inspection issue).

The inspector picks a library list, marks the items checked 合格 / 不合格 / 不适用 and posts them whole under a
client uuid (the offline inspection page keeps the post on the phone and sends it once on reconnect). Every item
marked is a ``ChecklistResult``; an item not marked stays 未检查 — never silently passed, and the record says which
items were checked. A failed item becomes a ``Finding`` citing the list and the item's clause, and through
``services.finding_add`` a hazard found by government (``hazards.services.hazard_register``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from checks.choices import Outcome
from checks.models import CheckItem, Checklist
from core import audit
from enforcement import services
from enforcement.choices import FindingResult, InspectionStatus
from enforcement.models import ChecklistResult, Inspection, InspectionChecklist
from enforcement.workflow import INSPECTION_TRANSITIONS

MAX_ANSWERS = 500


@dataclass(frozen=True)
class Answer:
    """One item marked: its id, the outcome (``checks.choices.Outcome``) and what was seen."""

    item: int
    outcome: str
    note: str = ""


def library_lists(actor: Any) -> Any:
    """The lists an inspector may work through: the current library lists (no enterprise) the actor sees."""
    return Checklist.objects.visible_to(actor).library().filter(current=True).order_by("title", "pk")


def item_citation(checklist: Checklist, item: CheckItem) -> str:
    clause = item.clause or _("第%(n)s项") % {"n": item.position}
    return f"{checklist.citation}{clause}"


def item_ref(checklist: Checklist, item: CheckItem) -> dict[str, Any]:
    """What a finding keeps of its checklist item (``Finding.checklist_item_ref``; ``services.finding_ref`` cites
    ``code``)."""
    clause = item.clause or f"第{item.position}项"
    return {"checklist": checklist.pk, "key": checklist.key, "version": checklist.version, "item": item.pk,
            "position": item.position, "clause": item.clause,
            "code": f"{checklist.document_number or checklist.title} {clause}".strip()[:60]}


@transaction.atomic
def checklist_record(*, actor: Any, inspection: Inspection, uuid: str, checklist: Checklist,
                     answers: list[Answer], deadline: dt.date | None = None) -> tuple[InspectionChecklist, bool]:
    """Record the items of ``checklist`` marked on an inspection in progress. Returns (the record, created): the
    same ``uuid`` posted again returns the record already made and writes nothing."""
    key = services.parse_uuid(uuid)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not Inspection.objects.visible_to(actor).filter(pk=inspection.pk).exists():
        raise PermissionDenied(_("该检查不在您的范围内。"))
    existing = InspectionChecklist.objects.filter(uuid=key).first()
    if existing is not None:
        if existing.inspection_id != inspection.pk:
            raise ValidationError({"uuid": _("该记录编号已用于其他检查。")})
        return existing, False
    if not INSPECTION_TRANSITIONS[(InspectionStatus.ONSITE, InspectionStatus.RECORDED)].who(actor, inspection):
        raise PermissionDenied(_("只有检查组或本部门人员可以记录检查结果。"))
    if inspection.status != InspectionStatus.ONSITE:
        raise ValidationError(_("只能在现场检查中记录检查表结果。"))
    if not library_lists(actor).filter(pk=checklist.pk).exists():
        raise ValidationError({"checklist": _("请选择检查表库中的现行检查表。")})
    items = {i.pk: i for i in checklist.items.all()}
    errors: list[str] = []
    if not answers:
        errors.append(_("请至少标记一个检查项（合格、不合格或不适用）；未标记的检查项记为未检查。"))
    if len(answers) > MAX_ANSWERS:
        errors.append(_("一次最多提交%(n)d项。") % {"n": MAX_ANSWERS})
    seen: set[int] = set()
    for answer in answers:
        if answer.item not in items:
            errors.append(_("检查项%(i)s不属于该检查表。") % {"i": answer.item})
        elif answer.item in seen:
            errors.append(_("检查项%(i)s重复。") % {"i": items[answer.item].position})
        if answer.outcome not in Outcome.values:
            errors.append(_("检查结果无效。"))
        seen.add(answer.item)
    done = set(ChecklistResult.objects.filter(inspection=inspection, item_id__in=seen).values_list("item_id",
                                                                                                  flat=True))
    if done:
        errors.append(_("以下检查项本次检查已记录，不能重复记录：%(l)s") % {
            "l": "、".join(str(items[i].position) for i in sorted(done, key=lambda i: items[i].position))})
    if errors:
        raise ValidationError(errors)
    sheet = InspectionChecklist.objects.create(
        inspection=inspection, checklist=checklist, uuid=key, submitted_by=actor if getattr(actor, "pk", None) else None,
        items_checked=len(answers), items_failed=sum(a.outcome == Outcome.FAIL for a in answers),
        items_na=sum(a.outcome == Outcome.NA for a in answers))
    for answer in sorted(answers, key=lambda a: items[a.item].position):
        item = items[answer.item]
        note = (answer.note or "").strip()[:500]
        finding = None
        if answer.outcome == Outcome.FAIL:
            finding = services.finding_add(
                actor=actor, inspection=inspection, text=f"{item.text}：{note}" if note else item.text,
                basis=item_citation(checklist, item), result=FindingResult.HAZARD, deadline=deadline,
                checklist_item_ref=item_ref(checklist, item))
        ChecklistResult.objects.create(sheet=sheet, inspection=inspection, item=item, outcome=answer.outcome,
                                       note=note, finding=finding)
    audit.record(action="enforcement.checklist_record", obj=inspection,
                 changes={"checklist": [None, str(checklist)], "checked": [None, sheet.items_checked],
                          "failed": [None, sheet.items_failed], "not_applicable": [None, sheet.items_na]})
    return sheet, True


def coverage(inspection: Inspection) -> list[dict[str, Any]]:
    """Per list worked through on an inspection: the items marked (with outcome) and those left 未检查, in order."""
    results = list(ChecklistResult.objects.filter(inspection=inspection)
                   .select_related("item", "sheet__checklist", "finding").order_by("item__position", "pk"))
    by_list: dict[int, dict[str, Any]] = {}
    for result in results:
        checklist = result.sheet.checklist
        entry = by_list.setdefault(checklist.pk, {"checklist": checklist, "results": [], "unchecked": []})
        entry["results"].append(result)
    if by_list:
        marked = {r.item_id for r in results}
        for item in CheckItem.objects.filter(checklist_id__in=list(by_list)).order_by("checklist_id", "position"):
            if item.pk not in marked:
                by_list[item.checklist_id]["unchecked"].append(item)
    return list(by_list.values())
