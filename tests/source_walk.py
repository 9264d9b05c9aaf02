"""Walking the project's source for writes the rules forbid outside their service (tests/test_workflows.py,
enterprises/tests/test_tally_writes.py): one visitor that knows which function a node sits in."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from django.apps import apps
from django.conf import settings


class WriteFinder(ast.NodeVisitor):
    """Collects ``(function path, line, what)`` for each hit a subclass reports with ``_hit``."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.found: list[tuple[str, int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _hit(self, node: ast.AST, what: str) -> None:
        self.found.append((".".join(self.where) or "<module>", node.lineno, what))


@functools.cache
def project_sources() -> tuple[tuple[Path, ast.Module], ...]:
    """Every module of the project's apps outside migrations and tests (paths relative to the project), parsed once
    per test run."""
    base = Path(settings.BASE_DIR)
    found = []
    for config in apps.get_app_configs():
        root = Path(config.path)
        if not root.is_relative_to(base) or root.relative_to(base).parts[0].startswith("."):
            continue
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(base)
            if {"migrations", "tests"} & set(rel.parts):
                continue
            found.append((rel, ast.parse(path.read_text(encoding="utf-8"))))
    return tuple(found)
