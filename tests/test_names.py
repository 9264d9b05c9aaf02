"""Class tests of the names: one file name for each kind of module, one style of audit action, no private name
imported across modules, no aliases for shared helpers, and core importing no domain app."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from tests.personas import World

BASE = Path(settings.BASE_DIR)
PROJECT = [c for c in apps.get_app_configs() if Path(c.path).is_relative_to(BASE)
           and not Path(c.path).relative_to(BASE).parts[0].startswith(".")]


def _modules(*, tests: bool = False) -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the project, parsed module) of every application module (not migrations, not tests)."""
    for config in PROJECT:
        for path in sorted(Path(config.path).rglob("*.py")):
            rel = path.relative_to(BASE)
            if "migrations" in rel.parts or (not tests and "tests" in rel.parts):
                continue
            yield rel.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


# --- deadline sources ------------------------------------------------------------------------------------------

def test_deadline_sources_are_registered_from_each_apps_deadline_sources_module() -> None:
    stray = [f"{rel}:{node.lineno}" for rel, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and _called(node) == "register_source"
             and Path(rel).name != "deadline_sources.py" and rel != "escalation/registry.py"]
    assert not stray, "register escalation deadline sources in <app>/deadline_sources.py:\n" + "\n".join(stray)


def test_every_registered_deadline_source_lives_in_its_apps_deadline_sources_module() -> None:
    from escalation.registry import SOURCES

    assert SOURCES
    for key in SOURCES:
        app = apps.get_app_config(key.split(".")[0]).name  # the key names the app that registers it
        assert importlib.util.find_spec(f"{app}.deadline_sources"), f"{key}: no {app}/deadline_sources.py"


# --- audit action names ----------------------------------------------------------------------------------------

def _literal_actions(node: ast.Call) -> list[ast.Constant]:
    """The string literals a ``record(...)`` / ``record_many(...)`` call names its action with."""
    def literals(expr: ast.expr | None) -> list[ast.Constant]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr]
        if isinstance(expr, ast.IfExp):
            return literals(expr.body) + literals(expr.orelse)
        return []

    if _called(node) == "record":
        action = next((kw.value for kw in node.keywords if kw.arg == "action"), node.args[0] if node.args else None)
        return literals(action)
    # record_many(events): the events are (action, obj, changes, note) tuples
    return [lit for arg in node.args for sub in ast.walk(arg) if isinstance(sub, ast.Tuple) and sub.elts
            for lit in literals(sub.elts[0])]


def _bad_action(name: str) -> str:
    from core.audit_actions import PATTERN

    labels = {config.label for config in apps.get_app_configs()}
    if not PATTERN.match(name):
        return "not <app_label>.<verb> or <app_label>.<noun>_<verb>"
    if name.split(".")[0] not in labels:
        return "the prefix is not an installed app label"
    return ""


def test_every_literal_audit_action_is_app_label_dot_verb() -> None:
    seen, bad = 0, []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            named = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if named in ("record", "record_many"):
                found = _literal_actions(node)
            elif named == "transition":  # core.workflow.transition(audit_action="...")
                found = [kw.value for kw in node.keywords if kw.arg == "audit_action"
                         and isinstance(kw.value, ast.Constant)]
            else:
                continue
            for lit in found:
                seen += 1
                if why := _bad_action(lit.value):
                    bad.append(f"{rel}:{lit.lineno}: {lit.value!r}: {why}")
    assert seen > 50, "the scan no longer finds the record() calls"
    assert not bad, "audit action names are <app_label>.<verb> (core/audit_actions.py):\n" + "\n".join(bad)


def test_every_workflow_move_is_logged_under_an_app_label_dot_verb() -> None:
    from tests.test_workflows import _workflows

    bad = [f"{name} {move.action}: {w.audit_name(move)!r}: {why}" for name, w in _workflows().items()
           for _, move in w._table.items() if (why := _bad_action(w.audit_name(move)))]
    assert not bad, "\n".join(bad)


def test_every_old_action_name_maps_to_a_current_one() -> None:
    from core.audit_actions import GENERIC, LEGACY, current

    for old, new in LEGACY.items():
        assert not _bad_action(new), (old, new)
        assert new not in LEGACY, f"{old} -> {new} -> {LEGACY[new]}: map straight to the current name"
    for verb in GENERIC:
        assert current(verb, "enterprises.licence") == f"enterprises.{verb}"
    assert current("hazards.register", "hazards.hazard") == "hazards.register"


# --- private names ---------------------------------------------------------------------------------------------

PACKAGES = {c.name.split(".")[0] for c in PROJECT} | {"anzhi"}
ALLOWED_PRIVATE_ATTRIBUTES = {"_meta", "_default_manager", "_base_manager"}  # Django's public API


def _absolute(rel: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = Path(rel).with_suffix("").parts
    parts = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    base = list(parts[: len(parts) - (node.level - 1)])
    return ".".join(base + ([node.module] if node.module else []))


def test_no_module_imports_a_private_name_of_another_module() -> None:
    stray = []
    for rel, tree in _modules():
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _absolute(rel, node).split(".")[0] in PACKAGES:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        stray.append(f"{rel}:{node.lineno}: from {_absolute(rel, node)} import {alias.name}")
                    imported.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                imported |= {alias.asname or alias.name.split(".")[0] for alias in node.names
                             if alias.name.split(".")[0] in PACKAGES}
        stray += [f"{rel}:{node.lineno}: {node.value.id}.{node.attr}" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported
                  and node.attr.startswith("_") and not node.attr.startswith("__")
                  and node.attr not in ALLOWED_PRIVATE_ATTRIBUTES]
    assert not stray, "a private name is used outside its module (make it public where it belongs):\n" + \
        "\n".join(stray)


# --- one name for a shared helper ------------------------------------------------------------------------------

def test_the_form_helpers_are_imported_under_their_own_names() -> None:
    from core import forms

    helpers = {name for name in vars(forms) if name.startswith("add_service_")}
    assert "add_service_error" in helpers
    stray = [f"{rel}:{node.lineno}: {ast.unparse(node)}" for rel, tree in _modules(tests=True)
             for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             for alias in node.names if alias.name in helpers
             and (alias.asname not in (None, alias.name) or node.module != "core.forms")]
    assert not stray, "import the form helpers as `from core.forms import add_service_error`:\n" + "\n".join(stray)


# --- core knows no domain app ----------------------------------------------------------------------------------

DOMAIN_APPS = {"accounts", "orgs", "enterprises", "campaigns", "hazards", "risk", "ledgers", "escalation",
               "notifications", "documents", "workdays", "audit", "demo", "inspections"}
# (module, imported app): a core module that must name a domain app, with the reason. Empty: the user model is
# reached through get_user_model() / settings.AUTH_USER_MODEL, everything else through registries.
CORE_MAY_IMPORT: dict[tuple[str, str], str] = {}


def test_core_imports_no_domain_app() -> None:
    stray = []
    for path in sorted((BASE / "core").rglob("*.py")):
        rel = path.relative_to(BASE).as_posix()
        if "tests" in path.relative_to(BASE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # module level and inside functions
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Call) and _called(node) in ("import_module", "get_model", "__import__") \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
            else:
                continue
            for name in names:
                app = name.split(".")[0]
                if app in DOMAIN_APPS and (rel, app) not in CORE_MAY_IMPORT:
                    stray.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    assert not stray, "core imports a domain app (register a card, a source, a hook instead):\n" + "\n".join(stray)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "shown"), [("office", {"enterprises"}), ("sysadmin", {"sysadmin"}),
                                                ("secadmin", {"secadmin"}), ("auditadmin", {"auditadmin"})])
def test_the_home_page_is_the_registered_cards_of_each_role(client: Client, world: World, persona: str,
                                                            shown: set[str]) -> None:
    from core.dashboard import CARDS

    assert {"enterprises", "accounts.sysadmin", "accounts.secadmin", "audit"} <= set(CARDS)
    client.force_login(world.users[persona])
    html = client.get("/").content.decode()
    boxes = {"enterprises", "sysadmin", "secadmin", "auditadmin"}
    assert {box for box in boxes if f'data-testid="card-{box}"' in html} == shown
