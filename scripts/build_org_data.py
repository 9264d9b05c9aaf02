"""Build orgs/data/xiangxiang.json from the plan's `units` (../shared/reference/xiangxiang-2020-plan.json).

Run once when the reference changes; the result is committed and read by ``manage.py load_orgs``.
The reference has no townships by name: the townships, villages and grids below are synthetic
(marked so), the domains each department regulates are the plans it leads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared/reference/xiangxiang-2020-plan.json"
TARGET = ROOT / "orgs/data/xiangxiang.json"

DOMAIN_NAMES = {
    "T1": "学习宣传贯彻习近平总书记关于安全生产重要论述", "T2": "落实企业安全生产主体责任",
}
PARENTS = {
    "市安委办": "市安委会", "市消防安全委员会": "市安委会", "市燃气安全专业委员会": "市安委会",
    "市消防安全委员会办公室": "市消防安全委员会", "市公安局交警大队": "市公安局", "市公安局治安大队": "市公安局",
    "公安派出所": "市公安局", "市人防办": "市住房城乡建设局", "园区党工委": "园区",
}
KIND_OVERRIDES = {"市安委办": "office", "市消防安全委员会办公室": "office", "市燃气安全专业委员会": "subcommittee",
                  "市消防安全委员会": "subcommittee", "湘乡市铁路沿线安全环境整治领导小组": "subcommittee"}
# Synthetic demo territory (the seed names none); parks 经开区 and 水府 are named by the seed.
TOWNSHIPS = [
    ("东山街道", "subdistrict", ["东山社区", "城南社区"]),
    ("望春门街道", "subdistrict", ["望春门社区", "桑枣园社区"]),
    ("新湘路街道", "subdistrict", ["新湘路社区"]),
    ("昆仑桥街道", "subdistrict", ["昆仑桥社区"]),
    ("山枣镇", "township", ["山枣村", "石桥村"]),
    ("棋梓镇", "township", ["棋梓村", "水府村"]),
    ("壶天镇", "township", ["壶天村"]),
    ("月山镇", "township", ["月山村"]),
    ("泉塘镇", "township", ["泉塘村"]),
    ("龙洞镇", "township", ["龙洞村"]),
]
PARKS = [("湘乡经济开发区", "经开区管委会"), ("水府旅游区", "水府管委会")]


def main() -> int:
    plan = json.loads(SOURCE.read_text(encoding="utf-8"))
    domains = []
    for i, p in enumerate(plan["plans"]):
        code = p["code"]
        if code == "master":
            continue
        domains.append({"code": code, "name": p["short_name"] if code.startswith("D") else DOMAIN_NAMES[code],
                        "short_name": p["short_name"] if code.startswith("D") else DOMAIN_NAMES[code][:20],
                        "kind": "domain" if code.startswith("D") else "thematic", "sort": i})
    leads: dict[str, list[str]] = {}
    for p in plan["plans"]:
        if p["code"] == "master":
            continue
        for u in p.get("lead_units") or []:
            leads.setdefault(u, []).append(p["code"])
    units = []
    for u in plan["units"]:
        kind = KIND_OVERRIDES.get(u["name"], u["kind"])
        if u["name"] in ("经开区管委会", "水府管委会"):
            kind = "park"
        units.append({
            "name": u["name"], "kind": kind, "aliases": u.get("aliases") or [],
            "collective": bool(u.get("generic")) or u["name"] in ("各乡镇（街道）", "乡镇人民政府", "街道办事处", "园区",
                                                                   "乡镇（街道）党（工）委", "园区党工委"),
            "parent": PARENTS.get(u["name"]),
            "domains": leads.get(u["name"], []) if kind == "department" else [],
            "responsible_in": u.get("responsible_in") or [],
        })
    data = {
        "source": "xiangxiang-2020-plan.json units[], built by scripts/build_org_data.py",
        "root": {"name": "湘乡市", "code": "430381", "level": "city"},
        "domains": domains,
        "townships": [{"name": n, "level": lvl, "synthetic": True,
                       "children": [{"name": c, "level": "community" if c.endswith("社区") else "village",
                                     "synthetic": True} for c in kids]} for n, lvl, kids in TOWNSHIPS],
        "parks": [{"name": n, "unit": unit, "level": "park", "synthetic": False} for n, unit in PARKS],
        "units": units,
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(domains)} domains, {len(units)} units)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
