"""docs/SEED_COVERAGE.md stays in step with the seed's glossary: every term exactly once, and every page, model
or file an implemented (or campaign) row names exists."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "SEED_COVERAGE.md"
DATA = json.loads((ROOT / "campaigns" / "data" / "xiangxiang-2020-plan.json").read_text(encoding="utf-8"))
STATUS = re.compile(r"^(implemented|campaign|out of scope|open #(12|13|14|15|16))$")


def _rows() -> list[list[str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| term |"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 4, line
        rows.append(cells)
    return rows


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver, prefix: str) -> None:
        for key in resolver.reverse_dict:
            if isinstance(key, str):
                names.add(prefix + key)
        for ns, (_, sub) in resolver.namespace_dict.items():
            walk(sub, f"{prefix}{ns}:")

    walk(get_resolver(), "")
    return names


def _exists(ref: str, urls: set[str]) -> bool:
    if "/" in ref:
        return (ROOT / ref).is_file()
    if ":" in ref:
        return ref in urls
    parts = ref.split(".")
    if len(parts) in (2, 3) and parts[0] in {a.label for a in apps.get_app_configs()}:
        try:
            model = apps.get_model(parts[0], parts[1])
        except LookupError:
            model = None
        if model is not None:
            if len(parts) == 2:
                return True
            try:
                model._meta.get_field(parts[2])
            except FieldDoesNotExist:
                return False
            return True
    for i in range(len(parts) - 1, 0, -1):  # a module attribute: campaigns.choices.DutyCycle
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _seed_text() -> str:
    parts = []
    for p in DATA["plans"]:
        parts.append(p.get("objective_text") or "")
        for key in ("tasks", "goals", "checklists", "task_list_2020"):
            parts.append(json.dumps(p.get(key) or [], ensure_ascii=False))
    return "\n".join(parts)


def test_every_glossary_term_is_one_row() -> None:
    terms = [g["term"] for g in DATA["glossary"]]
    rows = [r[0] for r in _rows()]
    assert len(terms) == 113
    assert sorted(rows) == sorted(terms), {"missing": sorted(set(terms) - set(rows)),
                                           "unknown": sorted(set(rows) - set(terms))}
    assert len(rows) == len(set(rows)), "a term appears more than once"


@pytest.mark.django_db
def test_every_named_page_model_and_file_exists() -> None:
    urls = _url_names()
    seed = _seed_text()
    bad = []
    for term, status, where, note in _rows():
        if not STATUS.match(status):
            bad.append(f"{term}: unknown status {status!r}")
            continue
        refs = re.findall(r"`([^`]+)`", where)
        if status in ("implemented", "campaign"):
            if not refs:
                bad.append(f"{term}: {status} but names nothing")
            bad += [f"{term}: {ref} does not exist" for ref in refs if not _exists(ref, urls)]
        elif not note:
            bad.append(f"{term}: {status} needs a reason")
        if status == "campaign":
            core = re.sub(r"（.*?）", "", term)
            forms = [core, *re.findall(r"“([^”]+)”", note)]
            if not (any(f in seed for f in forms) or all(p in seed for p in re.split(r"[、，]", core))):
                bad.append(f"{term}: campaign row but the term is not in the seed's tasks, goals or checklists")
    assert not bad, "\n".join(bad)
