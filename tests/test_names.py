"""Class tests of the names: one file name for each kind of module, one style of audit action, no private name
imported across modules, no aliases for shared helpers, and core importing no domain app."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings

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
