"""The checklist library loader (``manage.py load_checklists``): every file under ``checks/data/seed/`` (the seed
plan's checkable lists) and ``checks/data/standards/`` (national major-hazard determination standards, one file per
standard and version). Idempotent: a list is keyed by (id, version), an item by its position in the file; what is
already loaded is kept as it is (an office's confirmation of a 待核 item included), what is missing is added.

Items whose text is a summary (evidence M) or whose clause number was inferred (``clause_verified: false``) load as
待核: usable in checks, but a failure does not propose 重大 until the office confirms the item."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from checks.choices import ItemType, ListKind
from checks.models import CheckItem, Checklist
from core import audit
from orgs.models import Domain

DATA = Path(__file__).resolve().parent / "data"


def data_files() -> list[Path]:
    return sorted((DATA / "seed").glob("*.json")) + sorted((DATA / "standards").glob("*.json"))


@dataclass
class Counts:
    lists: int = 0
    lists_created: int = 0
    items: int = 0
    items_created: int = 0
    to_verify: int = 0
    criteria: int = 0


def _text(item: dict[str, Any]) -> str:
    text = item["text"]
    for sub in item.get("sub_items", []):
        text += f"\n{sub['no']} {sub['text']}"
    return text


def _item_values(item: dict[str, Any], position: int, domains: dict[str, Domain]) -> dict[str, Any]:
    limit = item.get("limit") or {}
    notes = [item.get("note", "")]
    if item.get("text_complete") is False:
        notes.append("原文不完整（以……结尾）。")
    return {
        "position": position, "clause": str(item.get("clause", ""))[:60], "section": str(item.get("section", ""))[:60],
        "text": _text(item), "item_type": ItemType.VALUE if item.get("item_type") == "value" else ItemType.YES_NO,
        "quantity": limit.get("quantity", "")[:120], "unit": limit.get("unit", "")[:20],
        "min_value": Decimal(str(limit["min"])) if "min" in limit else None,
        "max_value": Decimal(str(limit["max"])) if "max" in limit else None,
        "reference": limit.get("reference", "")[:120], "photo_required": bool(item.get("photo_required")),
        "major_hazard_criterion": bool(item.get("major_hazard_criterion")), "evidence": item.get("evidence", ""),
        "clause_verified": item.get("clause_verified", True) is not False,
        "on_spot_allowed": not item.get("major_hazard_criterion"), "domain": domains.get(item.get("domain") or ""),
        "keywords": list(item.get("keywords", [])), "note": "\n".join(n for n in notes if n).strip(),
    }


@transaction.atomic
def load_checklists(files: list[Path] | None = None) -> tuple[Counts, list[str]]:
    domains = {d.code: d for d in Domain.objects.all()}
    counts = Counts()
    lines: list[str] = []
    for path in files or data_files():
        doc = json.loads(path.read_text(encoding="utf-8"))
        kind = ListKind.NATIONAL if doc["kind"] == "national_standard" else ListKind.SEED
        checklist = Checklist.objects.filter(key=doc["id"], version=doc["version"], enterprise__isnull=True).first()
        created = checklist is None
        if created:
            notes = list(doc.get("notes", []))
            if doc.get("successor"):
                notes.insert(0, f"已有后继版本：{doc['successor'].get('title', '')}")
            checklist = Checklist(key=doc["id"], version=doc["version"], kind=kind, title=doc["title"][:200],
                                  issuer=doc.get("issuer", "")[:120], document_number=(doc.get("document_number") or "")[:120],
                                  effective=doc.get("effective"), text_status=doc.get("text_status", ""),
                                  notes="\n".join(notes), current=not doc.get("successor") and not doc.get("repealed"))
            checklist.copy_scope_keys()
            checklist.save()
            checklist.domains.set([domains[c] for c in doc["scope"]["domains"] if c in domains])
            counts.lists_created += 1
        counts.lists += 1
        have = set(checklist.items.values_list("position", flat=True))
        new = [CheckItem(checklist=checklist, **_item_values(item, n, domains))
               for n, item in enumerate(doc["items"], start=1) if n not in have]
        CheckItem.objects.bulk_create(new)
        counts.items += len(doc["items"])
        counts.items_created += len(new)
        loaded = list(checklist.items.all())
        counts.to_verify += sum(1 for i in loaded if i.to_verify)
        counts.criteria += sum(1 for i in loaded if i.major_hazard_criterion)
        if created or new:
            audit.record(action="checks.checklist_load", obj=checklist,
                         changes={"file": [None, path.relative_to(DATA).as_posix()], "items": [None, len(new)]})
            lines.append(f"{'新增' if created else '补充'}检查表“{checklist.title}”（{checklist.version}）：{len(new)} 项。")
    lines.append(f"检查表库：{counts.lists} 张表（新增 {counts.lists_created}），{counts.items} 项（新增 "
                 f"{counts.items_created}），重大事故隐患判定项 {counts.criteria}，待核 {counts.to_verify}。")
    return counts, lines
