"""Class tests of the one state-machine shape (``core.workflow``): every workflow is a table of the same kind,
every one is walked by the shared property helper (``tests/workflows.py``), and no code outside
``core.workflow.transition`` (and the services that create objects) writes a status."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template

from core.workflow import WORKFLOWS, Move, Workflow
from escalation.choices import ItemStatus
from tests.source_walk import WriteFinder, project_sources

PROJECT = [c for c in apps.get_app_configs() if Path(c.path).is_relative_to(settings.BASE_DIR)
           and not Path(c.path).relative_to(settings.BASE_DIR).parts[0].startswith(".")]


def _workflows() -> dict[str, Workflow]:
    for config in PROJECT:
        if importlib.util.find_spec(f"{config.name}.workflow"):
            importlib.import_module(f"{config.name}.workflow")
    return dict(WORKFLOWS)


def test_every_app_workflow_is_registered_and_walked() -> None:
    workflows = _workflows()
    assert {"hazards.hazard", "ledgers.permit", "campaigns.report", "escalation.record", "escalation.item",
            "risk.report"} <= set(workflows)
    walked: set[str] = set()
    for config in PROJECT:
        name = f"{config.name}.tests.test_workflow_walk"
        if importlib.util.find_spec(f"{config.name}.tests") and importlib.util.find_spec(name):
            walked |= {w.workflow.name for w in importlib.import_module(name).WALKS}
    assert set(workflows) <= walked, f"no walk (tests/workflows.py) in <app>/tests/test_workflow_walk.py for " \
                                     f"{sorted(set(workflows) - walked)}"


@pytest.mark.parametrize("name", sorted(_workflows()))
def test_every_workflow_is_one_table_of_moves(name: str) -> None:
    wf = WORKFLOWS[name]
    # Every value of the state field is a state of the table (reached by a move, or where objects start).
    assert {s for s in wf.states if s is not None} == set(wf.choices.values)
    assert wf.initial or None in wf.states, "objects must start somewhere"
    for (frm, to), move in wf.items():
        assert isinstance(move, Move) and wf[(frm, to)] is move and wf[(frm, move.action)] is move
        assert str(move.label) and callable(move.who) and callable(move.needs)
        assert isinstance(move.accepts, tuple) and all(isinstance(f, str) for f in move.accepts)
        assert wf.find(frm, move.action) == (to, move)


def test_a_table_that_names_a_state_like_an_action_is_refused() -> None:
    def anyone(actor: object, obj: object) -> bool:
        return True

    with pytest.raises(ImproperlyConfigured):
        Workflow("test.clash", {(ItemStatus.OPEN, ItemStatus.DONE): Move("done", "x", anyone)}, choices=ItemStatus)
    with pytest.raises(ImproperlyConfigured):
        Workflow("test.twice", {(ItemStatus.DONE, ItemStatus.OPEN): Move("back", "x", anyone),
                                (ItemStatus.DONE, ItemStatus.CLOSED): Move("back", "y", anyone)},
                 choices=ItemStatus)
    with pytest.raises(ImproperlyConfigured):
        Workflow("test.unknown", {(ItemStatus.OPEN, "lost"): Move("lose", "x", anyone)}, choices=ItemStatus)
    assert not {"test.clash", "test.twice", "test.unknown"} & set(WORKFLOWS)


def test_templates_read_a_move_without_calling_it() -> None:
    move = Move("go", "前进", lambda actor, obj: True, style="success")
    assert Template("{{ m.label }} {{ m.style }}").render(Context({"m": move})) == "前进 success"


# -- nobody else writes a status ----------------------------------------------------------------------
FIELDS = ("status", "state")
# (file, function): why it may write a field named status or state itself.
ALLOWED = {
    ("ledgers/services.py", "row_create"): "creation: a permit is filed as applied",
    ("campaigns/workflow.py", "_apply_to_task"): "a task's status follows from its accepted reports",
    ("campaigns/workflow.py", "task_withdraw"): "a task removed from a re-issued table is withdrawn (撤销)",
    ("campaigns/workflow.py", "tasks_withdraw"): "task_withdraw of many tasks at once (the re-import, set-based)",
    # An import job's status is the worker's bookkeeping (preview → queued → running → done/failed, or
    # cancelled by its uploader); the uploader's confirm and cancel are recorded by these services.
    ("core/imports/services.py", "job_confirm"): "an import job leaves its preview",
    ("core/imports/services.py", "job_cancel"): "an import job is cancelled by its uploader",
    ("core/imports/services.py", "run_job.progress"): "an import job's progress, not a workflow",
    ("core/imports/services.py", "job_finish"): "an import job's outcome, not a workflow",
    ("workdays/services.py", "year_set_schedule"): "a calendar year's source (official or fallback)",
    ("workdays/services.py", "year_mark_fallback"): "a calendar year's source (official or fallback)",
    ("campaigns/views/campaign.py", "plan_detail"): "a computed attribute for the template, not a field",
    ("campaigns/views/extra.py", "indicators"): "a computed attribute for the template, not a field",
}


class _StatusWrites(WriteFinder):

    def _targets(self, node: ast.AST, targets: list[ast.expr]) -> None:
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and sub.attr in FIELDS:
                    self._hit(node, f".{sub.attr} =")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._targets(node, node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node, [node.target])

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._targets(node, [node.target])

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update", "update_rows"):
            words = {k.arg for k in node.keywords} | {
                c.value for arg in node.args for c in ast.walk(arg) if isinstance(c, ast.Constant)}
            if words & set(FIELDS):
                self._hit(node, f"{func.attr}(status/state)")
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in FIELDS:
            self._hit(node, "setattr(…, status/state)")
        self.generic_visit(node)


def _project_sources() -> list[tuple[Path, ast.Module]]:
    """Every project module outside migrations, tests and the transition helper itself, parsed once."""
    return [(rel, tree) for rel, tree in project_sources() if rel.as_posix() != "core/workflow.py"]


def test_no_code_outside_the_transition_helper_writes_a_status() -> None:
    stray: list[str] = []
    for rel, tree in _project_sources():
        visitor = _StatusWrites()
        visitor.visit(tree)
        stray += [f"{rel}:{line} in {func}: {what}" for func, line, what in visitor.found
                  if (rel.as_posix(), func) not in ALLOWED]
    assert not stray, "a status is written outside core.workflow.transition (make it a move of the app's " \
                      "TRANSITIONS, or allow-list a creation service here):\n" + "\n".join(stray)


# -- nobody else writes what the hazard counts are kept by --------------------------------------------
# The maintained hazard counts (``hazards.tally``) follow every write of these attributes; a write anywhere else
# would leave them behind the hazards. Creation and the listed services update the counts in their transaction.
COUNTED = ("status", "grade", "deadline", "rectified_on", "jurisdiction", "jurisdiction_id", "jurisdiction_path",
           "domain", "domain_id")
COUNTED_ALLOWED = {
    ("hazards/services.py", "hazard_register"): "creation: counted by tally.added",
    ("hazards/services.py", "plan_save"): "the draft deadline: tally.remember / tally.follow",
    ("hazards/services.py", "_apply"): "a move's own fields: hazard_transition remembers on lock, follows after save",
    ("hazards/tally.py", "rekey"): "an enterprise moved: the counts move in the same function",
    ("hazards/services.py", "hazard_update"): "only EDITABLE fields (none counted; any other name is refused)",
    ("hazards/statistics.py", "stats_report_submit"): "an unsaved probe hazard for a scope check, never saved",
}


class _CountedWrites(_StatusWrites):
    """Writes of a counted attribute: anywhere in the hazards app, and elsewhere on a name that says hazard."""

    def __init__(self, everywhere: bool) -> None:
        super().__init__()
        self.everywhere = everywhere

    def _about_hazards(self, node: ast.AST) -> bool:
        return self.everywhere or "hazard" in ast.unparse(node).lower()

    def _targets(self, node: ast.AST, targets: list[ast.expr]) -> None:
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and sub.attr in COUNTED and self._about_hazards(sub.value):
                    self._hit(node, f".{sub.attr} =")
        ast.NodeVisitor.generic_visit(self, node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update", "bulk_create") \
                and self._about_hazards(func.value):
            words = {k.arg for k in node.keywords} | {
                c.value for arg in node.args for c in ast.walk(arg) if isinstance(c, ast.Constant)}
            if func.attr == "bulk_create" or words & set(COUNTED):
                self._hit(node, f"{func.attr}(counted field)")
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1 \
                and self._about_hazards(node.args[0]) and (not isinstance(node.args[1], ast.Constant)
                                                           or node.args[1].value in COUNTED):
            self._hit(node, "setattr(…, counted field)")
        ast.NodeVisitor.generic_visit(self, node)


def test_no_code_outside_the_counting_services_writes_a_counted_hazard_attribute() -> None:
    stray: list[str] = []
    for rel, tree in _project_sources():
        visitor = _CountedWrites(everywhere=rel.parts[0] == "hazards")
        visitor.visit(tree)
        stray += [f"{rel}:{line} in {func}: {what}" for func, line, what in visitor.found
                  if (rel.as_posix(), func) not in COUNTED_ALLOWED]
    assert not stray, "a counted hazard attribute is written outside the services that keep hazards.tally " \
                      "(go through hazards.services, or call hazards.tally in the same transaction and allow-list " \
                      "the function here):\n" + "\n".join(stray)


def test_the_counting_services_do_update_the_counts() -> None:
    """The allow-list above is not a loophole: each listed function (or, for a move's fields, the transition
    that runs it) calls ``hazards.tally`` itself."""
    base = Path(settings.BASE_DIR)
    bodies: dict[tuple[str, str], str] = {}
    for rel in {r for r, _f in COUNTED_ALLOWED} | {"hazards/services.py"}:
        for node in ast.walk(ast.parse((base / rel).read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                bodies[(rel, node.name)] = ast.unparse(node)
    assert "tally.added(hazard)" in bodies[("hazards/services.py", "hazard_register")]
    assert "tally.remember(" in bodies[("hazards/services.py", "plan_save")]
    assert "tally.follow(hazard)" in bodies[("hazards/services.py", "plan_save")]
    assert "tally.remember(" in bodies[("hazards/services.py", "hazard_transition")]
    assert "tally.follow(hazard)" in bodies[("hazards/services.py", "_record_move")]
    assert "_write(" in bodies[("hazards/tally.py", "rekey")]
