"""Load the organisation structure from a data file kept in the project (orgs/data/*.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from orgs import services
from orgs.choices import JurisdictionLevel, UnitKind
from orgs.models import Domain, Jurisdiction, Unit, UnitAlias

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _code(parent_code: str, index: int) -> str:
    return f"{parent_code}{index:03d}"


@transaction.atomic
def load_org_structure(path: Path | None = None) -> LoadReport:
    """Idempotent: re-running updates in place and records only what changed."""
    data = json.loads((path or DATA_DIR / "xiangxiang.json").read_text(encoding="utf-8"))
    report = LoadReport()
    domains = {}
    for d in data["domains"]:
        domains[d["code"]] = services.domain_save(actor=None, code=d["code"], name=d["name"],
                                                  short_name=d["short_name"], kind=d["kind"], sort=d["sort"])
        report.count("domains")
    root_d = data["root"]
    root = services.jurisdiction_save(actor=None, code=root_d["code"], name=root_d["name"], level=root_d["level"],
                                      parent=None)
    report.count("jurisdictions")
    territorial_units: list[tuple[str, str, Jurisdiction, bool]] = []
    for i, t in enumerate(data["townships"], start=1):
        node = services.jurisdiction_save(actor=None, code=_code(root.code, i), name=t["name"], level=t["level"],
                                          parent=root, synthetic=t["synthetic"], sort=i)
        report.count("jurisdictions")
        territorial_units.append((t["name"], UnitKind.TOWNSHIP, node, t["synthetic"]))
        for j, c in enumerate(t.get("children", []), start=1):
            services.jurisdiction_save(actor=None, code=_code(node.code, j), name=c["name"], level=c["level"],
                                       parent=node, synthetic=c["synthetic"], sort=j)
            report.count("jurisdictions")
    park_nodes: dict[str, Jurisdiction] = {}
    offset = len(data["townships"])
    for k, p in enumerate(data["parks"], start=1):
        node = services.jurisdiction_save(actor=None, code=_code(root.code, 900 + k), name=p["name"],
                                          level=JurisdictionLevel.PARK, parent=root, synthetic=p["synthetic"],
                                          sort=offset + k)
        park_nodes[p["unit"]] = node
        report.count("jurisdictions")
    for sort, (name, kind, node, synthetic) in enumerate(territorial_units, start=1000):
        services.unit_save(actor=None, name=name, kind=kind, jurisdiction=node, synthetic=synthetic, sort=sort)
        report.count("units")

    by_name: dict[str, Unit] = {}
    for sort, u in enumerate(data["units"]):
        unknown = [c for c in u["domains"] if c not in domains]
        for c in unknown:
            report.problems.append(f"单位“{u['name']}”的行业领域代码 {c} 不存在，已忽略")
        kind = u["kind"] if u["kind"] in UnitKind.values else UnitKind.OTHER
        if kind != u["kind"]:
            report.problems.append(f"单位“{u['name']}”的类别 {u['kind']} 无法识别，按“其他”登记")
        # A parent already loaded (listed earlier, or on a re-run) is set now, so a re-run changes nothing.
        parent = by_name.get(u["parent"]) or Unit.objects.filter(name=u["parent"]).first() if u.get("parent") else None
        by_name[u["name"]] = services.unit_save(
            actor=None, name=u["name"], kind=kind, jurisdiction=park_nodes.get(u["name"], root), parent=parent,
            domains=[domains[c] for c in u["domains"] if c in domains], aliases=u["aliases"],
            collective=u["collective"], sort=sort)
        report.count("units")
    for sort, u in enumerate(data["units"]):
        if not u.get("parent"):
            continue
        parent = by_name.get(u["parent"])
        if parent is None:
            report.problems.append(f"单位“{u['name']}”的上级“{u['parent']}”不在数据中，未设置上级")
            continue
        unit = by_name[u["name"]]
        if unit.parent_id != parent.pk:
            services.unit_save(actor=None, name=unit.name, kind=unit.kind, jurisdiction=unit.jurisdiction,
                               parent=parent, domains=unit.domains.all(), aliases=u["aliases"],
                               collective=unit.collective, synthetic=unit.synthetic, sort=sort)
    shared = (UnitAlias.objects.values_list("alias", flat=True).order_by("alias"))
    seen: dict[str, int] = {}
    for alias in shared:
        seen[alias] = seen.get(alias, 0) + 1
    for alias, n in seen.items():
        if n > 1:
            names = "、".join(UnitAlias.objects.filter(alias=alias).values_list("unit__name", flat=True))
            report.notes.append(f"“{alias}”同时指 {names}，解析时返回全部 {n} 个单位")
    for d in Domain.objects.exclude(code__in=list(domains)):
        report.notes.append(f"数据库中的行业领域 {d.code} 不在数据文件中（保留）")
    return report
