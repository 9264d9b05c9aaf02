"""The checklist library's data files (checks/data/): schema, seed lists against the plan, standards.

Plain pytest with no database: it reads JSON and Markdown only. The seed lists are rebuilt by
scripts/build_checklist_data.py; the national standards are curated by hand (see checks/data/README.md).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "checks/data"
PLAN = ROOT / "campaigns/data/xiangxiang-2020-plan.json"
SEED_TEXT = ROOT.parent / "shared/seed/000_1357e17be897a4a0.txt"
SEED_FILES = sorted((DATA / "seed").glob("*.json"))
STANDARD_FILES = sorted((DATA / "standards").glob("*.json"))
ALL_FILES = SEED_FILES + STANDARD_FILES
RANK = {"M": 0, "V*": 1, "V": 2}

# Items per file. A change to the data must change this table (and the README, via the builder).
EXPECTED_ITEMS = {
    "seed/xiangxiang-2020-d2-1.json": 15,
    "seed/xiangxiang-2020-d3-1.json": 5,
    "seed/xiangxiang-2020-d5-2.json": 6,
    "seed/xiangxiang-2020-d5-3.json": 4,
    "seed/xiangxiang-2020-d5-4.json": 3,
    "seed/xiangxiang-2020-d8-2.json": 5,
    "seed/xiangxiang-2020-d11-1.json": 3,
    "seed/xiangxiang-2020-d11-2.json": 6,
    "seed/xiangxiang-2020-d11-3.json": 3,
    "seed/xiangxiang-2020-d12-1.json": 10,
    "seed/xiangxiang-2020-d12-2.json": 9,
    "seed/xiangxiang-2020-d12-4.json": 10,
    "standards/gongmao-major-hazard-2023.json": 43,
    "standards/huagong-weihua-major-hazard-2017.json": 20,
    "standards/yanhua-baozhu-major-hazard-2017.json": 20,
    "standards/jinshu-feijinshu-kuangshan-major-hazard-2022.json": 17,
    "standards/fangwu-shizheng-major-hazard-2022.json": 30,
    "standards/gb-35181-2017.json": 24,
    "standards/gb-35181-2025.json": 0,
}
EXPECTED_EVIDENCE = {"V": 150, "V*": 67, "M": 16}


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def rel(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


@cache
def validator() -> Draft202012Validator:
    schema = load(DATA / "checklist.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def plan_lists() -> dict[tuple[str, int], dict]:
    plan = load(PLAN)
    return {(p["code"], i): c for p in plan["plans"] for i, c in enumerate(p["checklists"], start=1)}


@cache
def standards() -> dict[tuple[str, str], dict]:
    return {(d["id"], d["version"]): d for d in map(load, STANDARD_FILES)}


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_expected_files_are_exactly_the_files_present():
    assert sorted(EXPECTED_ITEMS) == sorted(rel(p) for p in ALL_FILES)


@pytest.mark.parametrize("path", ALL_FILES, ids=rel)
def test_file_validates_against_the_schema(path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", ALL_FILES, ids=rel)
def test_file_is_consistent(path):
    data = load(path)
    name = f"{data['id']}.json" if data["kind"] == "seed_list" else f"{data['id']}-{data['version']}.json"
    assert path.name == name
    assert len(data["items"]) == EXPECTED_ITEMS[rel(path)]
    clauses = [item["clause"] for item in data["items"]]
    assert [c for c, n in Counter(clauses).items() if n > 1] == [], "clause numbers repeat within the version"
    sources = {s["ref"]: s for s in data["sources"]}
    assert len(sources) == len(data["sources"]), "duplicate source refs"
    sections = {s["key"] for s in data.get("sections", [])}
    refs = [s.get("lead_source") for s in data.get("sections", [])]
    refs += [r.get("source") for r in data.get("determination", [])]
    refs += [r.get("source") for r in data.get("replaces", []) + [data["successor"] or {}]]
    for item in data["items"]:
        assert item["domain"] in data["scope"]["domains"], item["clause"]
        if sections:
            assert item.get("section") in sections, item["clause"]
        for part in [item, *item.get("sub_items", [])]:
            if "source" in part:
                source = sources[part["source"]]
                # an item is never claimed more verbatim than the source it comes from
                assert RANK[part.get("evidence", item["evidence"])] <= RANK[source["evidence"]], item["clause"]
        if item.get("text_complete") is False:
            assert item["text"].endswith("……"), item["clause"]
        for part in [item, *item.get("sub_items", [])]:
            limit = part.get("limit", {})
            if "min" in limit and "max" in limit:
                assert limit["min"] <= limit["max"]
    assert {r for r in refs if r} <= set(sources)


@pytest.mark.parametrize("path", STANDARD_FILES, ids=rel)
def test_national_standard_names_its_number_version_and_source(path):
    data = load(path)
    assert data["kind"] == "national_standard"
    assert data["document_number"] and data["version"] and data["sources"]
    assert any("url" in s or "repository" in s or "code_index_file" in s for s in data["sources"])
    for item in data["items"]:
        # 判定标准 items propose 重大; GB 35181 综合判定要素 only count towards a threshold
        assert item["major_hazard_criterion"] == (item.get("criterion_role", "direct") == "direct"), item["clause"]
    if data["text_status"] != "complete":
        assert data["gaps"], "a partial or pending standard says what is missing"


def test_versions_and_successors_link_up():
    versions = standards()
    assert len(versions) == len(STANDARD_FILES), "two files for one standard version"
    for (ident, _version), data in versions.items():
        successor = data["successor"]
        if successor and "version" in successor and (ident, successor["version"]) in versions:
            newer = versions[(ident, successor["version"])]
            assert newer["effective"] == successor["effective"]
            assert data["repealed"] in (None, newer["effective"])


def test_related_criteria_point_to_existing_clauses():
    versions = standards()
    for path in ALL_FILES:
        for item in load(path)["items"]:
            for link in item.get("related_criteria", []):
                target = versions[(link["standard"], link["version"])]
                if "clause" in link:
                    assert link["clause"] in {i["clause"] for i in target["items"]}, (rel(path), item["clause"])


def test_only_national_standards_carry_major_hazard_criteria():
    for path in SEED_FILES:
        assert not any(item["major_hazard_criterion"] for item in load(path)["items"])


# --- seed lists against the plan data ---------------------------------------------------------------------------


def test_plan_has_24_lists_with_144_items():
    lists = plan_lists()
    assert len(lists) == 24
    assert sum(len(c["items"]) for c in lists.values()) == 144


def test_decision_table_covers_every_plan_list():
    table = load(DATA / "seed_lists.json")
    lists = plan_lists()
    assert [(r["plan"], r["list_index"]) for r in table] == list(lists)
    for row in table:
        checklist = lists[(row["plan"], row["list_index"])]
        assert (row["name"], row["kind"], row["line"], row["items"]) == (
            checklist["name"], checklist["kind"], checklist["line"], len(checklist["items"]))
        assert row["reason"].strip()
        assert (row["file"] is not None) == row["checkable"]
    assert sorted(r["file"] for r in table if r["checkable"]) == [rel(p) for p in SEED_FILES]
    assert (sum(r["checkable"] for r in table), sum(r["items"] for r in table if r["checkable"])) == (12, 79)


def test_decision_markdown_has_all_24_rows():
    table = load(DATA / "seed_lists.json")
    rows = [line for line in (DATA / "seed_lists.md").read_text(encoding="utf-8").splitlines()
            if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == len(table) == 24
    for line, row in zip(rows, table, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1:7] == [row["plan"], row["name"], row["kind"], str(row["line"]), str(row["items"]),
                              "yes" if row["checkable"] else "no"]


@pytest.mark.parametrize("path", SEED_FILES, ids=rel)
def test_seed_list_items_are_the_plan_items_verbatim_and_in_order(path):
    data = load(path)
    checklist = plan_lists()[(data["seed"]["plan"], data["seed"]["list_index"])]
    assert data["title"] == checklist["name"]
    assert data["seed"]["line"] == checklist["line"] and data["seed"]["kind"] == checklist["kind"]
    assert [item["text"] for item in data["items"]] == checklist["items"]
    assert [item["clause"] for item in data["items"]] == [str(n) for n in range(1, len(checklist["items"]) + 1)]
    lines = [item["line"] for item in data["items"]]
    assert lines == sorted(lines) and lines[0] >= checklist["line"]
    assert data["sources"][0]["lines"] == [lines[0], lines[-1]]


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="seed text not available next to the repository")
@pytest.mark.parametrize("path", SEED_FILES, ids=rel)
def test_seed_item_lines_point_at_the_item_in_the_seed_text(path):
    seed = SEED_TEXT.read_text(encoding="utf-8").split("\n")
    for item in load(path)["items"]:
        assert norm(item["text"]) in norm(seed[item["line"] - 1]), item["clause"]


# --- totals in the README -----------------------------------------------------------------------------------------


def test_readme_counts_match_the_files():
    spec = importlib.util.spec_from_file_location("build_checklist_data", ROOT / "scripts/build_checklist_data.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert builder.counts_block() in readme, "README counts are stale: run scripts/build_checklist_data.py"
    evidence = Counter(item["evidence"] for path in ALL_FILES for item in load(path)["items"])
    assert dict(evidence) == EXPECTED_EVIDENCE
    total = sum(EXPECTED_ITEMS.values())
    assert f"{total} items in all" in readme
