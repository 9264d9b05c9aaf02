"""The task-table import creates its tasks set-based (``services.tasks_create``): each task, its unit links, its
milestones, its change event and the units' notifications are exactly what ``task_create`` row by row makes,
and the commit sends a fixed number of statements whatever the number of rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services, tasktable
from campaigns.choices import PlanKind
from campaigns.models import Milestone, Plan, Task, TaskUnit
from core.models import ChangeEvent
from notifications.models import Notification
from orgs.models import Domain

pytestmark = pytest.mark.django_db

HEAD = ["序号", "任务", "整治措施", "牵头单位", "配合单位", "计划完成时间"]
# Spellings with notes and a collective name; phrases with one date (inside the campaign's phase), stages, a
# recurring duty, a relative deadline and no date at all.
LEADS = ["东山街道", "山枣镇（牵头）", "市消防救援大队", "市应急管理局", "各乡镇（街道）"]
COOPS = ["", "市应急管理局、东山街道", "各乡镇（街道）", "", "市消防救援大队"]
DEADLINES = ["2024年3月底", "每季度", "2024年9月底前完成排查，12月底前完成整治", "收到通知后5个工作日内",
             "长期坚持", "2025年6月30日前", ""]


def table(n: int, *, reissue: bool = False) -> bytes:
    """``reissue``: the same table re-issued — row 7 dropped, every 3rd row's measures reworded, every 4th row's
    deadline and every 5th row's units changed."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet()
    ws.merge_range(0, 0, 0, len(HEAD) - 1, "任务分工表")
    for c, h in enumerate(HEAD):
        ws.write(1, c, h)
    r = 2
    for i in range(n):
        if reissue and i == 6:
            continue
        edit = reissue and i
        ws.write_row(r, 0, [str(i + 1), f"第{i + 1}项任务：消防通道划线",
                            f"措施{i + 1}" + ("，按月调度" if edit and i % 3 == 0 else ""),
                            LEADS[(i + (1 if edit and i % 5 == 0 else 0)) % len(LEADS)], COOPS[i % len(COOPS)],
                            DEADLINES[(i + (1 if edit and i % 4 == 0 else 0)) % len(DEADLINES)]])
        r += 1
    book.close()
    return buf.getvalue()


def new_plan(small: Any, code: str) -> Plan:
    return services.plan_save(actor=None, campaign=small.campaign, kind=PlanKind.DOMAIN, code=code, title=code,
                              short_name=code, domain=Domain.objects.get(code="D3"), sort=5)


def rowwise(*, actor: Any, plan: Plan, rows: list[services.NewTask], unit_source: str,
            notify: Any) -> list[Task]:
    """The commit as it was: one ``task_create`` a row."""
    return [services.task_create(actor=actor, plan=plan, units=row.units, unit_source=unit_source, notify=notify,
                                 **row.values) for row in rows]


TASK_FIELDS = [f.attname for f in Task._meta.concrete_fields
               if f.attname not in ("id", "plan_id", "created_at", "updated_at")]


def written(plan: Plan) -> list[tuple[Any, ...]]:
    """Everything the import wrote for each task of ``plan``, with the plan's own id and code taken out."""
    out = []
    for task in Task.objects.filter(plan=plan).order_by("sort"):
        units = sorted(TaskUnit.objects.filter(task=task).values_list(
            "unit_id", "role", "as_written", "source", "via_id", "status", "percent", "completed_on"))
        milestones = sorted(Milestone.objects.filter(task=task).values_list(
            "key", "kind", "text", "due", "event_text", "event_on", "workdays", "met_on", "domain_id",
            "jurisdiction_path"))
        events = []
        for e in ChangeEvent.objects.filter(object_type="campaigns.task", object_id=str(task.pk)).order_by("seq"):
            if e.action == "campaigns.create":
                assert e.changes.pop("plan") == [None, plan.pk]
            events.append((e.action, e.source, e.actor_id, e.actor_label, e.success, e.note, e.changes,
                           e.object_repr.replace(plan.code, "P")))
        out.append(({f: getattr(task, f) for f in TASK_FIELDS}, units, milestones, events))
    return out


def told(plan: Plan, before: set[int]) -> list[tuple[Any, ...]]:
    return sorted((n.recipient_id, n.title.replace(plan.code, "P"), n.body.replace(plan.code, "P"), n.kind)
                  for n in Notification.objects.exclude(pk__in=before))


def test_imported_table_writes_what_task_create_writes_row_by_row(world, small, monkeypatch,
                                                                  django_capture_on_commit_callbacks) -> None:
    office, data = world.user("office"), table(14)
    results = {}
    for code, bulk in (("B1", True), ("R1", False)):
        plan = new_plan(small, code)
        with monkeypatch.context() as m:
            if not bulk:
                m.setattr(services, "tasks_create", rowwise)
            before = set(Notification.objects.values_list("pk", flat=True))
            with django_capture_on_commit_callbacks(execute=True):
                outcome = tasktable.import_table(actor=office, plan=plan, data=io.BytesIO(data), year=2024)
        assert outcome.ok, outcome.errors
        assert outcome.created == 14
        results[code] = (written(plan), told(plan, before), outcome.notes)
    bulk_rows, bulk_told, bulk_notes = results["B1"]
    rows, row_told, row_notes = results["R1"]
    assert len(bulk_rows) == 14
    for mine, theirs in zip(bulk_rows, rows, strict=True):
        assert mine == theirs
    # The table exercises every part of a task: a phase, expanded collective links, each kind of milestone.
    assert any(fields["phase_id"] for fields, *_ in bulk_rows)
    assert {m[1] for _, _, ms, _ in bulk_rows for m in ms} == {"stage", "occurrence", "relative"}
    assert any(u[4] for _, units, _, _ in bulk_rows for u in units)
    assert all(len(events) == 1 and "units" in events[0][6] for *_, events in bulk_rows)
    # One message per unit for the whole table, in both.
    assert bulk_told == row_told
    assert len({r[0] for r in bulk_told}) == len(bulk_told) > 0
    assert bulk_notes == row_notes


def test_tasks_create_matches_task_create_without_sort_or_notify(world, small) -> None:
    """Called directly: tasks without a sort number get the plan's next ones, as task_create gives them."""
    from campaigns.units import Resolution, resolve_into

    def units(name: str) -> list:
        res = Resolution()
        resolve_into(res, name, "lead")
        return res.assignments

    specs = [({"title": f"任务{i}", **services.deadline_values(DEADLINES[i % len(DEADLINES)], default_year=2024)},
              units(LEADS[i % len(LEADS)])) for i in range(6)]
    one, many = new_plan(small, "O1"), new_plan(small, "M1")
    services.task_create(actor=None, plan=one, title="已有任务")
    services.task_create(actor=None, plan=many, title="已有任务")
    for values, assigned in specs:
        services.task_create(actor=None, plan=one, units=assigned, **values)
    services.tasks_create(actor=None, plan=many, rows=[services.NewTask(v, u) for v, u in specs])
    assert written(many) == written(one)
    assert list(Task.objects.filter(plan=many).order_by("sort").values_list("sort", flat=True)) == list(range(1, 8))


def test_import_commit_statements_do_not_grow_with_rows(world, small, django_assert_max_num_queries) -> None:
    office = world.user("office")
    with CaptureQueriesContext(connection) as ten:
        outcome = tasktable.import_table(actor=office, plan=new_plan(small, "Q10"), data=io.BytesIO(table(10)),
                                         year=2024)
    assert outcome.ok and outcome.created == 10
    assert Milestone.objects.filter(task__plan__code="Q10").count() > 10
    # The same spellings and phrases, five times the rows: SQLite's bulk inserts split at 999 parameters, so a
    # few more statements there; PostgreSQL sends the same number.
    with django_assert_max_num_queries(len(ten) + 6):
        outcome = tasktable.import_table(actor=office, plan=new_plan(small, "Q50"), data=io.BytesIO(table(50)),
                                         year=2024)
    assert outcome.ok and outcome.created == 50


def rowwise_update(*, actor: Any, plan: Plan, rows: list[services.TaskChange], unit_source: str = "text",
                   notify: Any = True) -> list[Task]:
    """The re-import's update as it was: one ``task_update`` a row."""
    return [services.task_update(actor=actor, task=r.task, units=r.units, keep_units=r.keep_units,
                                 unit_source=unit_source, notify=notify, **r.values) for r in rows]


def rowwise_delete(*, actor: Any, plan: Plan, tasks: list[Task]) -> None:
    for task in tasks:
        services.task_delete(actor=actor, task=task)


def deleted(plan: Plan, seq: int) -> list[tuple[Any, ...]]:
    out = []
    for e in ChangeEvent.objects.filter(action="campaigns.delete", seq__gt=seq).order_by("seq"):
        assert e.changes.pop("plan") == [plan.pk, None]
        out.append((e.object_repr.replace(plan.code, "P"), e.changes, e.actor_id, e.source))
    return out


def test_reimport_writes_what_task_update_writes_row_by_row(world, small, monkeypatch,
                                                            django_capture_on_commit_callbacks) -> None:
    """The re-import's matched rows (reworded, new deadline, other units) and removed row, set-based, give every
    task, link, milestone, change event and message the row-by-row services gave."""
    office = world.user("office")
    results = {}
    for code, bulk in (("U1", True), ("V1", False)):
        plan = new_plan(small, code)
        assert tasktable.import_table(actor=office, plan=plan, data=io.BytesIO(table(14)), year=2024).ok
        seq = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        with monkeypatch.context() as m:
            if not bulk:
                m.setattr(services, "tasks_update", rowwise_update)
                m.setattr(services, "tasks_delete", rowwise_delete)
            before = set(Notification.objects.values_list("pk", flat=True))
            with django_capture_on_commit_callbacks(execute=True):
                outcome = tasktable.import_table(actor=office, plan=plan, data=io.BytesIO(table(14, reissue=True)),
                                                 year=2024)
        assert outcome.ok, outcome.errors
        results[code] = (written(plan), told(plan, before), outcome.notes, outcome.updated, deleted(plan, seq))
    mine, theirs = results["U1"], results["V1"]
    assert len(mine[0]) == 13 and mine[3] > 0 and len(mine[4]) == 1
    for a, b in zip(mine[0], theirs[0], strict=True):
        assert a == b
    assert mine[1:] == theirs[1:]
    events = [e for *_, evs in mine[0] for e in evs if e[0] == "campaigns.update"]
    assert any("milestones" in e[6] for e in events) and any("units" in e[6] for e in events)


def test_reimport_statements_do_not_grow_with_rows(world, small, django_assert_max_num_queries) -> None:
    office = world.user("office")
    ten, fifty = new_plan(small, "W10"), new_plan(small, "W50")
    assert tasktable.import_table(actor=office, plan=ten, data=io.BytesIO(table(10)), year=2024).ok
    assert tasktable.import_table(actor=office, plan=fifty, data=io.BytesIO(table(50)), year=2024).ok
    with CaptureQueriesContext(connection) as queries:
        outcome = tasktable.import_table(actor=office, plan=ten, data=io.BytesIO(table(10, reissue=True)), year=2024)
    assert outcome.ok and outcome.updated > 0
    with django_assert_max_num_queries(len(queries) + 6):
        outcome = tasktable.import_table(actor=office, plan=fifty, data=io.BytesIO(table(50, reissue=True)),
                                         year=2024)
    assert outcome.ok and outcome.updated > 10
