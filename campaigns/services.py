"""Campaign, phase, plan and task writes (house style 4). Every write checks the actor, runs
in a transaction and records the change in the audit log; loaders pass ``actor=None``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from campaigns.choices import AssignmentSource, DeadlineKind, PlanKind
from campaigns.deadline_phrases import DeadlineError, parse_deadline
from campaigns.lifecycle import require_writable
from campaigns.models import (
    Campaign,
    Milestone,
    Phase,
    Plan,
    PlanType,
    PlanUnit,
    ProgressReport,
    Task,
    TaskUnit,
)
from campaigns.units import Assignment
from core import audit, bulk
from core.pinyin import search_text
from core.registry import keys_moved
from core.scoping import scope_for

CAMPAIGN_FIELDS = ["name", "short_name", "document_number", "document_title", "issuer", "issued_on", "issued_text",
                   "addressees", "starts_on", "ends_on", "report_interval", "report_day", "office_unit",
                   "jurisdiction", "extra"]
PHASE_FIELDS = ["name", "kind", "starts_on", "ends_on", "heading", "text", "source_line", "sort"]
PLAN_FIELDS = ["plan_type", "kind", "code", "annex", "title", "short_name", "domain", "preamble", "objective_text",
               "responsibility_text", "units_note", "period_text", "table_caption", "table_columns",
               "source_first_line", "source_last_line", "sort", "extra"]
TASK_FIELDS = ["plan", "source", "number", "table_year", "table_group", "section", "title", "text", "measures",
               "responsibility_text", "deadline", "deadline_kind", "deadline_text", "recurrence", "phase",
               "source_line", "source_note", "sort"]


# -- permission -----------------------------------------------------------------------------
def is_office_for(actor: Any, campaign: Campaign) -> bool:
    """The campaign office of the campaign's territory (or the system, ``actor=None``)."""
    if actor is None:
        return True
    return actor.has_role(Role.OFFICE) and scope_for(actor).covers_path(campaign.jurisdiction_path)


def require_office(actor: Any, campaign: Campaign) -> None:
    if not is_office_for(actor, campaign):
        raise PermissionDenied(_("只有本行动的安委办可以进行此操作。"))


# -- deadlines ------------------------------------------------------------------------------
def deadline_values(text: str, *, default_year: int | None, today: dt.date | None = None) -> dict[str, Any]:
    """Parse a 计划完成时间 phrase into the task's deadline fields; the phrase is kept."""
    text = (text or "").strip()
    if not text:
        return {"deadline": None, "deadline_kind": DeadlineKind.NONE, "deadline_text": "", "recurrence": ""}
    parsed = parse_deadline(text, default_year=default_year, today=today)
    return {"deadline": parsed.due, "deadline_kind": parsed.kind, "deadline_text": text,
            "recurrence": parsed.recurrence or ""}


def campaign_phases(campaign: Campaign) -> list[Phase]:
    """The campaign's phases in the order :func:`phase_of` tries them (read once per import)."""
    return list(campaign.phases.order_by("sort", "pk"))


def phase_of(phases: Iterable[Phase], day: dt.date | None) -> Phase | None:
    """The first phase (by sort) whose span holds ``day``."""
    if day is None:
        return None
    return next((p for p in phases if p.starts_on and p.ends_on and p.starts_on <= day <= p.ends_on), None)


# -- campaign / phase / plan ----------------------------------------------------------------
def _check_campaign(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("请填写行动名称。")
    s, e = values.get("starts_on"), values.get("ends_on")
    if s and e and e < s:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    day = values.get("report_day")
    if day is not None and not 1 <= int(day) <= 28:
        errors["report_day"] = _("报送截止日应在 1 到 28 之间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor: Any, source_key: str = "", **values: Any) -> Campaign:
    values = {k: v for k, v in values.items() if k in CAMPAIGN_FIELDS}
    _check_campaign(values)
    campaign = Campaign(source_key=source_key, **values)
    campaign.jurisdiction_path = campaign.jurisdiction.path
    if actor is not None and not (actor.has_role(Role.OFFICE)
                                  and scope_for(actor).covers_path(campaign.jurisdiction_path)):
        raise PermissionDenied(_("只有安委办可以在本辖区创建专项整治行动。"))
    campaign.save()
    audit.record(action="campaigns.create", obj=campaign, changes=audit.diff({}, audit.snapshot(campaign, CAMPAIGN_FIELDS)))
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, **values: Any) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_office(actor, campaign)
    require_writable(campaign)
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    for k, v in values.items():
        if k in CAMPAIGN_FIELDS:
            setattr(campaign, k, v)
    _check_campaign({f: getattr(campaign, f) for f in CAMPAIGN_FIELDS})
    campaign.jurisdiction_path = campaign.jurisdiction.path
    require_office(actor, campaign)  # re-check: nobody moves a campaign out of their own reach
    changes = audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS))
    if changes:
        campaign.save()
        Task.objects.filter(campaign=campaign).update(jurisdiction_path=campaign.jurisdiction_path)
        keys_moved(Task, Task.objects.filter(campaign=campaign))
        audit.record(action="campaigns.update", obj=campaign, changes=changes)
    return campaign


@transaction.atomic
def phase_save(*, actor: Any, campaign: Campaign, phase: Phase | None = None, **values: Any) -> Phase:
    require_office(actor, campaign)
    require_writable(campaign)
    values = {k: v for k, v in values.items() if k in PHASE_FIELDS}
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if phase is None:
        phase = Phase.objects.filter(campaign=campaign, name=values.get("name")).first() or Phase(campaign=campaign)
    before = audit.snapshot(phase, PHASE_FIELDS) if phase.pk else {}
    for k, v in values.items():
        setattr(phase, k, v)
    changes = audit.diff(before, audit.snapshot(phase, PHASE_FIELDS))
    if changes or not phase.pk:
        action = "campaigns.update" if phase.pk else "campaigns.create"
        phase.save()
        audit.record(action=action, obj=phase, changes=changes)
    return phase


@transaction.atomic
def plan_save(*, actor: Any, campaign: Campaign, plan: Plan | None = None,
              units: Iterable[Assignment] | None = None, **values: Any) -> Plan:
    require_office(actor, campaign)
    require_writable(campaign)
    values = {k: v for k, v in values.items() if k in PLAN_FIELDS}
    plan_type = values.get("plan_type")
    if plan_type is not None:
        if plan_type.campaign_id != campaign.pk:
            raise ValidationError({"plan_type": _("方案类别不属于本行动。")})
        # The type says what kind of plan it is and which domain it covers, unless the form says otherwise.
        values.setdefault("kind", plan_type.kind)
        values["kind"] = values["kind"] or plan_type.kind
        if values.get("domain") is None:
            values["domain"] = plan_type.domain
        if not values.get("code") and not getattr(plan, "code", ""):
            values["code"] = plan_type.code
    if not (values.get("code") or getattr(plan, "code", "")):
        raise ValidationError({"code": _("请填写方案代码。")})
    if values.get("kind") == PlanKind.DOMAIN and values.get("domain") is None and not getattr(plan, "domain_id", None):
        raise ValidationError({"domain": _("行业领域实施方案须选择行业领域。")})
    if plan is None:
        plan = Plan.objects.filter(campaign=campaign, code=values["code"]).first() or Plan(campaign=campaign)
    before = audit.snapshot(plan, PLAN_FIELDS) if plan.pk else {}
    for k, v in values.items():
        setattr(plan, k, v)
    changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    created = not plan.pk
    if changes or created:
        plan.save()
        if Task.objects.filter(plan=plan).exclude(domain_id=plan.domain_id).update(domain_id=plan.domain_id):
            keys_moved(Task, Task.objects.filter(plan=plan))
    if units is not None:
        wanted = {(a.unit.pk, a.role): a.as_written for a in units}
        current = {(link.unit_id, link.role): link for link in plan.unit_links.all()}
        gone = [link.pk for key, link in current.items() if key not in wanted]
        if gone:
            PlanUnit.objects.filter(pk__in=gone).delete()
            changes["units_removed"] = [len(gone), 0]
        new = [PlanUnit(plan=plan, unit_id=u, role=r, as_written=w) for (u, r), w in wanted.items()
               if (u, r) not in current]
        if new:
            PlanUnit.objects.bulk_create(new)
            changes["units_added"] = [0, len(new)]
    if changes or created:
        audit.record(action="campaigns.create" if created else "campaigns.update", obj=plan, changes=changes)
    return plan


# -- tasks ----------------------------------------------------------------------------------
def _sync_units(task: Task, assignments: Iterable[Assignment], source: str,
                keep: Iterable[int] = (), added: list[int] | None = None) -> dict[str, Any]:
    """Make the task's unit links those of ``assignments``; the units in ``keep`` stay linked whatever
    (a unit that reported on the task, a unit added by hand). Links added by hand are ``MANUAL``: a link that
    exists keeps the source it had."""
    current = {link.unit_id: link for link in task.unit_links.all()}
    gone, new, changed, changes = _plan_units(task, assignments, source, current, keep)
    if gone:
        TaskUnit.objects.filter(task=task, unit_id__in=gone).delete()
    TaskUnit.objects.bulk_create(new)
    if added is not None:
        added.extend(link.unit_id for link in new)
    if changed:
        TaskUnit.objects.bulk_update(changed, ["role", "as_written", "via", "source"])
    return changes


def _plan_units(task: Task, assignments: Iterable[Assignment], source: str, current: dict[int, TaskUnit],
                keep: Iterable[int] = ()) -> tuple[list[int], list[TaskUnit], list[TaskUnit], dict[str, Any]]:
    """What :func:`_sync_units` writes, unwritten: the unit ids to unlink, the new links, the changed links and
    the change-log entry. ``current`` is {} for a task just created."""
    wanted = {a.unit.pk: a for a in assignments}
    keep = set(keep)
    changes: dict[str, Any] = {}
    gone = [u for u in current if u not in wanted and u not in keep]
    new, changed = [], []
    for unit_id, a in wanted.items():
        src = AssignmentSource.EXPANDED if a.via is not None else source
        link = current.get(unit_id)
        if link is not None and source == AssignmentSource.MANUAL and a.via is None:
            src = link.source
        if link is None:
            new.append(TaskUnit(task=task, unit_id=unit_id, role=a.role, as_written=a.as_written, source=src,
                                via=a.via))
        elif (link.role, link.as_written, link.via_id, link.source) != (a.role, a.as_written,
                                                                        getattr(a.via, "pk", None), src):
            link.role, link.as_written, link.via, link.source = a.role, a.as_written, a.via, src
            changed.append(link)
    if gone or new or changed:
        changes["units"] = [sorted(current), sorted(set(wanted) | (keep & set(current)))]
    return gone, new, changed, changes


def _check_task(values: dict[str, Any]) -> None:
    if not (values.get("title") or "").strip():
        raise ValidationError({"title": _("任务内容不能为空。")})


def _announce(actor: Any, task: Task, added: list[int], notify: bool | dict[int, list[Task]]) -> None:
    """A unit newly given a part in a task is told so (not when the system loads a seed document). ``notify``
    may be a dict that collects the assignments of a whole import, announced once per unit by the importer."""
    if actor is None or not added or notify is False:
        return
    if isinstance(notify, dict):
        for unit_id in added:
            notify.setdefault(unit_id, []).append(task)
        return
    from campaigns import integrations

    integrations.notify_assigned({unit_id: [task] for unit_id in added})


@transaction.atomic
def task_create(*, actor: Any, plan: Plan, units: Iterable[Assignment] = (),
                unit_source: str = AssignmentSource.TEXT, notify: bool | dict[int, list[Task]] = True,
                **values: Any) -> Task:
    """One task (pages, API, loaders). A whole task table goes through :func:`tasks_create`; both build a task
    with the same helpers (:func:`_build_task`, :func:`_new_task_rows`)."""
    campaign = plan.campaign
    _require_task_writes(actor, campaign)
    task = _build_task(campaign, plan, values)
    if not task.sort:
        task.sort = (Task.objects.filter(plan=plan, source=task.source).count() + 1)
    task.save()
    links, rows, changes = _new_task_rows(task, units, unit_source)
    TaskUnit.objects.bulk_create(links)
    if rows:
        Milestone.objects.bulk_create(rows)
    audit.record(action="campaigns.create", obj=task, changes=changes)
    _announce(actor, task, [link.unit_id for link in links], notify)
    return task


@dataclass(frozen=True)
class NewTask:
    """A task :func:`tasks_create` makes: the values and assignments :func:`task_create` takes."""

    values: dict[str, Any]
    units: Sequence[Assignment] = ()


@transaction.atomic
def tasks_create(*, actor: Any, plan: Plan, rows: Sequence[NewTask], unit_source: str = AssignmentSource.TEXT,
                 notify: bool | dict[int, list[Task]] = True) -> list[Task]:
    """Many tasks of one plan (a task table's new rows), each exactly as :func:`task_create` makes it — the same
    fields, unit links, milestones and ``campaigns.create`` change event — set-based: the office and the
    campaign are checked once, then a fixed number of statements whatever the number of rows (tasks, links
    and milestones by ``core.bulk``, COPY on PostgreSQL; events by ``audit.record_many``). A row the rules
    refuse raises before anything is written. Each unit is told once of all the tasks given to it."""
    campaign = plan.campaign
    _require_task_writes(actor, campaign)
    phases = campaign_phases(campaign)
    tasks = [_build_task(campaign, plan, row.values, phases) for row in rows]
    stored: dict[str, int] = {}  # task_create's default sort: the plan's tasks of that source so far, plus one
    seen: dict[str, int] = {}
    for task in tasks:
        if not task.sort:
            if task.source not in stored:
                stored[task.source] = Task.objects.filter(plan=plan, source=task.source).count()
            task.sort = stored[task.source] + seen.get(task.source, 0) + 1
        seen[task.source] = seen.get(task.source, 0) + 1
    bulk.insert_objects(tasks)
    # The rows below are plain column values (no model instances), the milestones of each distinct phrase
    # computed once: a table's rows repeat a handful of phrases. tests/test_task_bulk.py holds every row and
    # event equal to task_create's.
    link_rows: list[tuple[Any, ...]] = []
    milestone_rows: list[tuple[Any, ...]] = []
    events = []
    schedules: dict[tuple[str, int], dict[str, Any]] = {}
    assigned: dict[int, list[Task]] = notify if isinstance(notify, dict) else {}
    for task, row in zip(tasks, rows, strict=True):
        changes = _created_changes(task)
        wanted_units = {a.unit.pk: a for a in row.units}
        for unit_id, a in wanted_units.items():
            link_rows.append((task.pk, unit_id, a.role, a.as_written,
                              AssignmentSource.EXPANDED if a.via is not None else unit_source,
                              getattr(a.via, "pk", None)))
        if wanted_units:
            changes["units"] = [[], sorted(wanted_units)]
        wanted = _wanted_milestones(task, schedules)
        for key, w in wanted.items():
            milestone_rows.append((task.pk, key, w.kind, w.text, w.due, w.event_text, w.workdays, task.domain_id,
                                   task.jurisdiction_path))
        if wanted:
            changes["milestones"] = [0, {"added": len(wanted), "changed": 0, "removed": 0}]
        events.append(("campaigns.create", task, changes, ""))
        _announce(actor, task, list(wanted_units), assigned if notify is not False else False)
    bulk.insert_rows(TaskUnit, ["task_id", "unit_id", "role", "as_written", "source", "via_id"], link_rows)
    bulk.insert_rows(Milestone, ["task_id", "key", "kind", "text", "due", "event_text", "workdays", "domain_id",
                                 "jurisdiction_path"], milestone_rows)
    audit.record_many(events, jsonable=True)
    if notify is True and actor is not None:
        from campaigns import integrations

        integrations.notify_assigned(assigned)
    return tasks


# (field name, attribute, is a relation) of TASK_FIELDS, for _created_changes
_TASK_SNAPSHOT = [(name, f.attname, f.is_relation) for name in TASK_FIELDS for f in [Task._meta.get_field(name)]]


def _created_changes(task: Task) -> dict[str, Any]:
    """``audit.diff({}, audit.snapshot(task, TASK_FIELDS))`` built directly: the fields a new task has set."""
    out: dict[str, Any] = {}
    for name, attname, relation in _TASK_SNAPSHOT:
        value = getattr(task, attname)
        if not relation:
            value = audit.to_jsonable(value)
        if value is not None:
            out[name] = [None, value]
    return out


def _wanted_milestones(task: Task, memo: dict[tuple[str, int], dict[str, Any]]) -> dict[str, Any]:
    """``milestones.wanted_for(task, milestones.schedule_of(task))`` once per phrase and year (the tasks of one
    call share their campaign, whose span the occurrences fill)."""
    from campaigns import milestones

    key = (task.deadline_text, task.table_year or task.campaign.starts_on.year)
    if key not in memo:
        memo[key] = milestones.wanted_for(task, milestones.schedule_of(task))
    return memo[key]


@dataclass(frozen=True)
class TaskChange:
    """A stored task :func:`tasks_update` updates: the values and assignments :func:`task_update` takes."""

    task: Task
    values: dict[str, Any]
    units: Sequence[Assignment] | None = None
    keep_units: frozenset[int] = frozenset()


CHUNK = 900  # keys per IN (...) (SQLite's bound-parameter limit)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    return (ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK))


def _apply_task_values(task: Task, values: dict[str, Any]) -> dict[str, Any]:
    """Set a task's fields from ``values`` (the editable ones), check them, derive its domain and search keys; returns
    the changes (``task_update`` and the set-based ``tasks_update`` alike)."""
    before = audit.snapshot(task, TASK_FIELDS)
    for k, v in values.items():
        if k in TASK_FIELDS:
            setattr(task, k, v)
    _check_task({"title": task.title})
    if task.plan.campaign_id != task.campaign_id:
        raise ValidationError(_("任务只能属于本行动的方案。"))
    task.domain_id = task.plan.domain_id
    task.search_text = search_text(task.title)
    return audit.diff(before, audit.snapshot(task, TASK_FIELDS))


def tasks_update(*, actor: Any, plan: Plan, rows: Sequence[TaskChange], unit_source: str = AssignmentSource.TEXT,
                 notify: bool | dict[int, list[Task]] = True) -> list[Task]:
    """Many tasks of one plan (a re-imported task table's matched rows), each exactly as :func:`task_update`
    updates it — the same fields, unit links, milestones and ``campaigns.update`` change event — set-based:
    the tasks locked and their links and milestones read in one go, the office checked once, then a fixed
    number of statements whatever the number of rows (``core.bulk.update_rows``: COPY into a temporary table
    and one ``UPDATE … FROM`` on PostgreSQL, ``bulk_update`` elsewhere; events by ``audit.record_many``)."""
    from campaigns import milestones

    if not rows:
        return []
    campaign = plan.campaign
    _require_task_writes(actor, campaign)
    ids = sorted(r.task.pk for r in rows)
    locked: dict[int, Task] = {}
    for chunk in _chunks(ids):
        locked.update((t.pk, t) for t in Task.objects.select_for_update().select_related("campaign", "plan")
                      .filter(pk__in=chunk).order_by("pk"))
    links: dict[int, dict[int, TaskUnit]] = {}
    for chunk in _chunks(ids):
        for link in TaskUnit.objects.filter(task_id__in=chunk):
            links.setdefault(link.task_id, {})[link.unit_id] = link
    tasks, events, saved = [], [], []
    gone_links: list[int] = []
    new_links: list[TaskUnit] = []
    changed_links: list[TaskUnit] = []
    assigned: dict[int, list[Task]] = notify if isinstance(notify, dict) else {}
    for row in rows:
        task = locked[row.task.pk]
        if task.campaign_id != campaign.pk:  # as task_update: the office of the task's own campaign
            _require_task_writes(actor, task.campaign)
        changes = _apply_task_values(task, row.values)
        added: list[int] = []
        if row.units is not None:
            current = links.get(task.pk, {})
            gone, new, changed, unit_changes = _plan_units(task, row.units, unit_source, current, row.keep_units)
            gone_links += [current[u].pk for u in gone]
            new_links += new
            changed_links += changed
            added = [link.unit_id for link in new]
            changes.update(unit_changes)
        tasks.append(task)
        if changes:
            saved.append(task)
            events.append(["campaigns.update", task, changes, ""])
        if actor is not None and added and notify is not False:
            for unit_id in added:
                assigned.setdefault(unit_id, []).append(task)
    # Milestones of the tasks whose phrase changed, as _sync_milestones makes them.
    moved = [t for (_a, t, changes, _n) in events if "deadline_text" in changes]
    current_ms: dict[int, dict[str, Milestone]] = {}
    for chunk in _chunks([t.pk for t in moved]):
        for m in Milestone.objects.filter(task_id__in=chunk):
            current_ms.setdefault(m.task_id, {})[m.key] = m
    new_ms: list[Milestone] = []
    changed_ms: list[Milestone] = []
    gone_ms: list[int] = []
    schedules: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        task, changes = event[1], event[2]
        if "deadline_text" not in changes:
            continue
        created, changed, gone = milestones.plan_rows(task, _wanted_milestones(task, schedules),
                                                      current_ms.get(task.pk, {}))
        new_ms += created
        changed_ms += changed
        gone_ms += gone
        counts = milestones.row_counts(created, changed, gone)
        if any(counts.values()):
            changes["milestones"] = [0, counts]
    for chunk in _chunks(gone_links):
        TaskUnit.objects.filter(pk__in=chunk).delete()
    bulk.insert_objects(new_links, keys=False)
    bulk.update_rows(TaskUnit, ["role", "as_written", "via_id", "source"],
                     [(link.pk, link.role, link.as_written, link.via_id, link.source) for link in changed_links])
    now = timezone.now()
    columns = [Task._meta.get_field(f).column for f in TASK_FIELDS] + ["domain_id", "search_text", "updated_at"]
    attnames = [Task._meta.get_field(f).attname for f in TASK_FIELDS] + ["domain_id", "search_text"]
    for task in saved:
        task.updated_at = now
    bulk.update_rows(Task, columns, [(t.pk, *(getattr(t, a) for a in attnames), now) for t in saved])
    bulk.insert_objects(new_ms, keys=False)
    bulk.update_rows(Milestone, milestones.FIELDS,
                     [(m.pk, *(getattr(m, f) for f in milestones.FIELDS)) for m in changed_ms])
    for chunk in _chunks(gone_ms):
        Milestone.objects.filter(pk__in=chunk).delete()
    audit.record_many(tuple(e) for e in events)
    if notify is True and actor is not None:
        from campaigns import integrations

        integrations.notify_assigned(assigned)
    return tasks


def tasks_delete(*, actor: Any, plan: Plan, tasks: Sequence[Task]) -> None:
    """Many tasks of one plan deleted, each as :func:`task_delete` deletes it (refused when it has reports;
    one ``campaigns.delete`` event each), set-based."""
    if not tasks:
        return
    _require_task_writes(actor, plan.campaign)
    ids = [t.pk for t in tasks]
    for chunk in _chunks(ids):
        if ProgressReport.objects.filter(task_id__in=chunk).exists():
            raise ValidationError(_("该任务已有进展报送，不能删除。"))
    audit.record_many(("campaigns.delete", t, audit.diff(audit.snapshot(t, TASK_FIELDS), {}), "") for t in tasks)
    for chunk in _chunks(ids):
        Task.objects.filter(pk__in=chunk).delete()


def _require_task_writes(actor: Any, campaign: Campaign) -> None:
    require_office(actor, campaign)
    require_writable(campaign)


def _build_task(campaign: Campaign, plan: Plan, values: dict[str, Any],
                phases: list[Phase] | None = None) -> Task:
    """A new, unsaved task of ``plan`` from the values a caller gives (its own fields only), checked, with its
    scope keys and search text; its phase, when not given, the one holding its deadline. ``sort`` is left to
    the caller (the next number of the plan's tasks of that source when not given)."""
    values = {k: v for k, v in values.items() if k in TASK_FIELDS and k != "plan"}
    _check_task(values)
    task = Task(campaign=campaign, plan=plan, **values)
    if task.phase is None and task.deadline is not None:
        task.phase = phase_of(phases if phases is not None else campaign_phases(campaign), task.deadline)
    task.domain_id = plan.domain_id
    task.jurisdiction_path = campaign.jurisdiction_path
    task.search_text = search_text(task.title)
    return task


def _new_task_rows(task: Task, units: Iterable[Assignment],
                   unit_source: str) -> tuple[list[TaskUnit], list[Milestone], dict[str, Any]]:
    """For a task just saved: its unit links and milestones, unwritten, and its ``campaigns.create`` change
    (its fields, the units linked, the milestones added)."""
    from campaigns import milestones

    changes = audit.diff({}, audit.snapshot(task, TASK_FIELDS))
    _gone, links, _changed, unit_changes = _plan_units(task, units, unit_source, {})
    changes.update(unit_changes)
    wanted = milestones.wanted_for(task, milestones.schedule_of(task))
    rows: list[Milestone] = []
    if wanted:
        rows, changed, gone = milestones.plan_rows(task, wanted, {})
        counts = milestones.row_counts(rows, changed, gone)
        if any(counts.values()):
            changes["milestones"] = [0, counts]
    return links, rows, changes


@transaction.atomic
def task_update(*, actor: Any, task: Task, units: Iterable[Assignment] | None = None,
                unit_source: str = AssignmentSource.TEXT, keep_units: Iterable[int] = (),
                notify: bool | dict[int, list[Task]] = True, **values: Any) -> Task:
    task = Task.objects.select_for_update().select_related("campaign", "plan").get(pk=task.pk)
    require_office(actor, task.campaign)
    require_writable(task.campaign)
    changes = _apply_task_values(task, values)
    added: list[int] = []
    if units is not None:
        changes.update(_sync_units(task, units, unit_source, keep_units, added=added))
    if changes:
        task.save()
        if "deadline_text" in changes:
            changes.update(_sync_milestones(task))
        audit.record(action="campaigns.update", obj=task, changes=changes)
    _announce(actor, task, added, notify)
    return task


def _sync_milestones(task: Task) -> dict[str, Any]:
    """A changed phrase: the task's milestones made those of its new phrase (campaigns.milestones), recorded
    with the task's own change."""
    from campaigns import milestones

    counts = milestones.sync_rows(task, milestones.wanted_for(task, milestones.schedule_of(task)))
    return {"milestones": [0, counts]} if any(counts.values()) else {}


@transaction.atomic
def task_delete(*, actor: Any, task: Task) -> None:
    require_office(actor, task.campaign)
    require_writable(task.campaign)
    if task.reports.exists():
        raise ValidationError(_("该任务已有进展报送，不能删除。"))
    audit.record(action="campaigns.delete", obj=task, changes=audit.diff(audit.snapshot(task, TASK_FIELDS), {}))
    task.delete()


@transaction.atomic
def table_delete(*, actor: Any, plan: Plan, year: int) -> int:
    """Undo a mistaken task-table import: delete the plan's table rows of ``year``, recorded (one entry for
    the table, one per task); refused once any of them carries a report. Returns how many were deleted."""
    from campaigns.choices import TaskSource

    require_office(actor, plan.campaign)
    require_writable(plan.campaign)
    tasks = Task.objects.select_for_update().filter(plan=plan, source=TaskSource.TABLE, table_year=year)
    if not tasks.exists():
        raise ValidationError(_("该方案没有%(y)d年的任务清单。") % {"y": year})
    if tasks.filter(reports__isnull=False).exists():
        raise ValidationError(_("该清单中已有任务收到进展报送，不能删除整张清单；请逐项撤销。"))
    n = 0
    for task in tasks:
        audit.record(action="campaigns.delete", obj=task, changes=audit.diff(audit.snapshot(task, TASK_FIELDS), {}))
        n += 1
    audit.record(action="campaigns.table_delete", obj=plan, changes={"table_year": [year, None], "tasks": [n, 0]})
    tasks.delete()
    return n


# -- plan types (a campaign's own list of domains / actions) ---------------------------------------
PLAN_TYPE_FIELDS = ["code", "name", "kind", "domain", "sort"]


@transaction.atomic
def plan_type_save(*, actor: Any, campaign: Campaign, plan_type: PlanType | None = None,
                   **values: Any) -> PlanType:
    require_office(actor, campaign)
    require_writable(campaign)
    values = {k: v for k, v in values.items() if k in PLAN_TYPE_FIELDS}
    errors = {}
    if not (values.get("code") or getattr(plan_type, "code", "")).strip():
        errors["code"] = _("请填写代码。")
    if not (values.get("name") or getattr(plan_type, "name", "")).strip():
        errors["name"] = _("请填写名称。")
    if errors:
        raise ValidationError(errors)
    if plan_type is None:
        plan_type = (PlanType.objects.filter(campaign=campaign, code=values["code"]).first()
                     or PlanType(campaign=campaign))
    elif plan_type.campaign_id != campaign.pk:
        raise ValidationError(_("方案类别不属于本行动。"))
    clash = PlanType.objects.filter(campaign=campaign, code=values.get("code", plan_type.code)).exclude(
        pk=plan_type.pk)
    if clash.exists():
        raise ValidationError({"code": _("本行动已有代码相同的方案类别。")})
    before = audit.snapshot(plan_type, PLAN_TYPE_FIELDS) if plan_type.pk else {}
    for k, v in values.items():
        setattr(plan_type, k, v)
    created = not plan_type.pk
    changes = audit.diff(before, audit.snapshot(plan_type, PLAN_TYPE_FIELDS))
    if changes or created:
        plan_type.save()
        audit.record(action="campaigns.create" if created else "campaigns.update", obj=plan_type, changes=changes)
    return plan_type


@transaction.atomic
def plan_type_delete(*, actor: Any, plan_type: PlanType) -> None:
    require_office(actor, plan_type.campaign)
    require_writable(plan_type.campaign)
    if plan_type.plans.exists():
        raise ValidationError(_("已有方案属于该类别，不能删除。"))
    audit.record(action="campaigns.delete", obj=plan_type,
                 changes=audit.diff(audit.snapshot(plan_type, PLAN_TYPE_FIELDS), {}))
    plan_type.delete()


def default_year(campaign: Campaign, plan: Plan | None = None, table_year: int | None = None) -> int:
    """The year a yearless phrase (10月30日前) means: the task table's year, else the campaign's first."""
    return table_year or campaign.starts_on.year


def parse_or_error(text: str, *, year: int) -> dict[str, Any]:
    try:
        return deadline_values(text, default_year=year)
    except DeadlineError as exc:
        raise ValidationError({"deadline_text": str(exc)}) from exc

