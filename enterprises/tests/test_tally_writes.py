"""Nobody else writes what the enterprise counts are kept by: the stored credit class, an enterprise's domain links,
new enterprises. ``EnterpriseTally`` follows every such write in its transaction only where the write goes through
the services listed here (``enterprises.tally``); rows written by bulk tools are followed by
``recompute_credit_classes`` / ``rebuild_enterprise_tallies``."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from tests.source_walk import WriteFinder, project_sources

# (file, function): why it may write a counted attribute of enterprises.
ALLOWED = {
    ("credit/standing.py", "refresh"): "the stored class: the tally moves in the same function",
    ("credit/views.py", "CreditListView.get_context"): "a display attribute of a listed row, never saved",
    ("enterprises/services.py", "_set_domains"): "called by enterprise_create / enterprise_update, which count",
    ("enterprises/services.py", "enterprise_create"): "creation: tally.added",
    ("enterprises/services.py", "enterprise_update"): "tally.states under the lock, tally.follow after the write",
    ("enterprises/importer.py", "_write"): "tally.added per batch; tally.states(lock) and tally.move for updates",
}


# An enterprise's place (on a variable named for an enterprise; other rows copy it through copy_scope_keys).
PLACE = ("jurisdiction", "jurisdiction_id", "jurisdiction_path")


class _Writes(WriteFinder):
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and sub.attr == "credit_class":
                    self._hit(node, ".credit_class =")
                if isinstance(sub, ast.Attribute) and sub.attr in PLACE and isinstance(sub.value, ast.Name) \
                        and sub.value.id in ("enterprise", "ent"):
                    self._hit(node, f".{sub.attr} =")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        text = ast.unparse(node)
        if isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update"):
            words = {k.arg for k in node.keywords} | {
                c.value for arg in node.args for c in ast.walk(arg) if isinstance(c, ast.Constant)}
            if "credit_class" in words:
                self._hit(node, f"{func.attr}(credit_class)")
        if isinstance(func, ast.Attribute) and func.attr in ("bulk_create", "create", "delete", "set", "add",
                                                             "remove") \
                and "EnterpriseDomain" in ast.unparse(func.value):
            self._hit(node, f"EnterpriseDomain {func.attr}")
        if isinstance(func, ast.Name) and func.id in ("copy_rows", "insert_objects") and node.args \
                and ("EnterpriseDomain" in ast.unparse(node.args[0]) or "Enterprise(" in text):
            self._hit(node, f"{func.id}(enterprises)")
        if isinstance(func, ast.Attribute) and func.attr == "bulk_create" and "Enterprise.objects" in ast.unparse(
                func.value):
            self._hit(node, "Enterprise bulk_create")
        self.generic_visit(node)


def test_no_code_outside_the_counting_services_writes_a_counted_enterprise_attribute() -> None:
    stray: list[str] = []
    seen: set[tuple[str, str]] = set()
    for rel, tree in project_sources():
        visitor = _Writes()
        visitor.visit(tree)
        seen |= {(rel.as_posix(), func) for func, _line, _what in visitor.found}
        stray += [f"{rel}:{line} in {func}: {what}" for func, line, what in visitor.found
                  if (rel.as_posix(), func) not in ALLOWED]
    assert not stray, "a counted enterprise attribute is written outside the services that keep enterprises.tally " \
                      "(go through enterprises.services / credit.standing, or call enterprises.tally in the same " \
                      "transaction and allow-list the function here):\n" + "\n".join(stray)
    assert set(ALLOWED) <= seen, f"the sweep no longer sees the writes it allows: {set(ALLOWED) - seen}"


def test_the_counting_services_do_update_the_counts() -> None:
    base = Path(settings.BASE_DIR)
    bodies: dict[tuple[str, str], str] = {}
    for rel in {r for r, _f in ALLOWED}:
        for node in ast.walk(ast.parse((base / rel).read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                bodies[(rel, node.name)] = ast.unparse(node)
    assert "tally.added(" in bodies[("enterprises/services.py", "enterprise_create")]
    assert "tally.states(" in bodies[("enterprises/services.py", "enterprise_update")]
    assert "tally.follow(" in bodies[("enterprises/services.py", "enterprise_update")]
    # The import adds its new rows and moves its updated ones in one delta, applied once at the end.
    assert "tally.states(" in bodies[("enterprises/importer.py", "_write")]
    assert "tally.apply(delta)" in bodies[("enterprises/importer.py", "_write")]
    assert "tally.move(" in bodies[("credit/standing.py", "refresh")]
