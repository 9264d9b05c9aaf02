"""The escalation engine: remind before a deadline, climb the ladder after it.

``sweep()`` runs every hour in the worker (``escalation.tasks.run_sweep``, queued by the periodic
scheduler) and from ``manage.py run_sweep``. It works on sets: per source and step one query, bulk inserts,
batched audit events, daily digests. It is idempotent: an ``EscalationRecord`` is unique per (source,
object, step, deadline) and a ``ReminderMark`` per (source, object, deadline, working-day threshold), so
re-running creates nothing new, and an extended deadline starts the ladder over.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit
from core.audit import Source, audit_context
from core.background import yield_to_users
from core.formats import cn_date
from core.workflow import Step, transition
from escalation.choices import Action, RecordStatus
from escalation.models import EscalationLadder, EscalationRecord, EscalationStep, ReminderMark
from escalation.registry import SOURCES, DeadlineSource, RecipientIds, Recipients, get_source
from escalation.workflow import RECORD_TRANSITIONS
from notifications.choices import Kind
from notifications.services import notify
from workdays import services as workdays

logger = logging.getLogger("anzhi.escalation")



@dataclass
class SourceReport:
    key: str
    label: str
    scanned: int = 0
    reminders: int = 0
    applied: int = 0
    proposed: int = 0
    errors: int = 0


@dataclass
class SweepReport:
    today: dt.date
    sources: dict[str, SourceReport] = field(default_factory=dict)
    notifications: int = 0
    errors: list[str] = field(default_factory=list)
    paused: float = 0.0  # seconds spent yielding to the users between batches

    @property
    def reminders(self) -> int:
        return sum(s.reminders for s in self.sources.values())

    @property
    def applied(self) -> int:
        return sum(s.applied for s in self.sources.values())

    @property
    def proposed(self) -> int:
        return sum(s.proposed for s in self.sources.values())

    def lines(self) -> list[str]:
        out = [_("督办巡查（%(d)s）：提醒 %(r)s 项，执行督办措施 %(a)s 项，提请安委办决定 %(p)s 项，发送消息 %(n)s 条。") % {
            "d": self.today.isoformat(), "r": self.reminders, "a": self.applied, "p": self.proposed,
            "n": self.notifications}]
        for s in self.sources.values():
            out.append(_("  %(l)s：检查 %(s)s 项，提醒 %(r)s，执行 %(a)s，待决定 %(p)s，出错 %(e)s") % {
                "l": s.label, "s": s.scanned, "r": s.reminders, "a": s.applied, "p": s.proposed, "e": s.errors})
        if self.paused:
            out.append(_("  巡查期间有用户在使用系统，累计暂停 %(s).1f 秒让出数据库。") % {"s": self.paused})
        out += self.errors
        return out


# -- helpers --------------------------------------------------------------------------------------------
def due_of(source: DeadlineSource, obj: Any) -> dt.date | None:
    value = getattr(obj, source.due_field)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def ladder_for(source: DeadlineSource) -> EscalationLadder | None:
    """The office's ladder for this source (``applies_to``) wins over the source's default code."""
    ladder = (EscalationLadder.objects.filter(active=True, applies_to=source.key).order_by("pk").first()
              if source.key else None)
    if ladder is None and source.ladder:
        ladder = EscalationLadder.objects.filter(active=True, code=source.ladder).first()
    return ladder


def scope_keys(obj: Any) -> dict[str, Any]:
    """The scope keys a record copies from its item (``escalation.keys`` keeps them following it)."""
    domain_id = getattr(obj, "domain_id", None)
    return {
        "jurisdiction_path": getattr(obj, "jurisdiction_path", "") or "",
        "domain_id": domain_id if isinstance(domain_id, int) else None,
        "enterprise_id": getattr(obj, "enterprise_id", None) if isinstance(getattr(obj, "enterprise_id", None),
                                                                             int) else None,
    }


_office_cache: dict[str, list[Any]] | None = None


def office_users(path: str) -> list[Any]:
    """Active users of the campaign office whose territory covers ``path`` (every office when unknown).

    Read once per sweep (the office has a handful of accounts), once per call otherwise."""
    from accounts.models import User

    cache = _office_cache
    if cache is not None and "all" in cache:
        users = cache["all"]
    else:
        users = list(User.objects.filter(is_active=True, role_grants__role=Role.OFFICE).select_related("unit")
                     .distinct())
        if cache is not None:
            cache["all"] = users
    if not path:
        return users
    return [u for u in users if u.unit is None or path.startswith(u.unit.jurisdiction_path)]


def _recipients(source: DeadlineSource, obj: Any, *, responsible: bool, supervisors: bool, office: bool,
                path: str) -> Recipients:
    rec = Recipients()
    if responsible:
        rec = rec + source.responsible(obj)
    if supervisors:
        rec = rec + source.supervisors(obj)
    if office:
        rec = rec + Recipients(users=tuple(office_users(path)))
    return rec


def _send(rec: Recipients, **kwargs: Any) -> int:
    if not rec:
        return 0
    return notify(users=rec.users, units=rec.units, **kwargs)


# -- the sweep (set-based) --------------------------------------------------------------------------------
# Per source and ladder step, one query selects the items that newly reached the step (an anti-join against
# the records already filed, by id keyset in batches of BATCH); the records are inserted with one bulk insert
# per batch (ON CONFLICT DO NOTHING on the record's unique key, so a re-run or a concurrent run never files a
# step twice), audited with one ``record_many`` per batch, and announced in daily digests: one message per
# recipient and kind per day, counting the items (``notifications.services.notify_digest``).
BATCH = 2000


def overdue_cutoff(today: dt.date, after_workdays: int) -> dt.date:
    """The latest deadline before ``today`` that is at least ``after_workdays`` working days past on ``today``
    (``workdays_between`` falls as the deadline moves later, so "reached the step" is ``due <= cutoff``)."""
    one = dt.timedelta(days=1)
    if after_workdays <= 0:
        return today - one
    day = min(workdays.add_workdays(today, -after_workdays), today - one)
    while workdays.workdays_between(day, today) < after_workdays:  # defensive: never taken when add/between agree
        day -= one
    while day + one < today and workdays.workdays_between(day + one, today) >= after_workdays:
        day += one
    return day


def reminder_windows(today: dt.date, thresholds: list[int]) -> list[tuple[int, dt.date, dt.date]]:
    """(threshold, first, last deadline) for each reminder threshold: the deadlines from ``today`` on whose
    smallest fitting threshold (working days left ≤ threshold) it is. Contiguous, since days left only grow."""
    if not thresholds:
        return []
    horizon = workdays.add_workdays(today, max(thresholds))
    windows: dict[int, list[dt.date]] = {}
    day = today
    while day <= horizon:
        left = workdays.workdays_between(today, day)
        fitting = [t for t in thresholds if left <= t]
        if fitting:
            span = windows.setdefault(fitting[0], [day, day])
            span[1] = day
        day += dt.timedelta(days=1)
    return [(t, lo, hi) for t, (lo, hi) in sorted(windows.items())]


class _Run:
    """What one sweep remembers: who the units' users are, working days past each deadline, the digests."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.unit_users: dict[int, tuple[int, ...]] = {}
        self.all_units = False
        self.active: dict[int, bool] = {}
        self.over: dict[dt.date, int] = {}
        self.digests: dict[str, dict[int, dict[str, int]]] = {}
        self.last_stamp: dt.datetime | None = None
        self.errors: list[str] = []

    def stamp(self) -> dt.datetime:
        """A creation time unique to this batch (the records it inserted are read back by it)."""
        now = timezone.now()
        if self.last_stamp is not None and now <= self.last_stamp:
            now = self.last_stamp + dt.timedelta(microseconds=1)
        self.last_stamp = now
        return now

    def overdue_workdays(self, due: dt.date) -> int:
        if due not in self.over:
            self.over[due] = workdays.workdays_between(due, self.today)
        return self.over[due]

    def prime(self, rids: Iterable[RecipientIds]) -> None:
        """Load the users of units (and the active flag of users) not seen yet: two queries at most."""
        from accounts.choices import BUSINESS_ROLES
        from accounts.models import User

        rids = list(rids)
        units = {u for r in rids for u in r.units} - self.unit_users.keys()
        if units and not self.all_units:
            # Every unit's users at once (one query a sweep, whichever units the items name first).
            found: dict[int, list[int]] = {}
            rows = (User.objects.filter(unit__isnull=False, is_active=True, role_grants__role__in=BUSINESS_ROLES)
                    .values_list("unit_id", "pk").distinct())
            for unit_id, uid in rows:
                found.setdefault(unit_id, []).append(uid)
            self.unit_users.update({u: tuple(sorted(set(v))) for u, v in found.items()})
            self.all_units = True
        users = {u for r in rids for u in r.users} - self.active.keys()
        if users:
            active = set(User.objects.filter(pk__in=users, is_active=True).values_list("pk", flat=True))
            self.active.update({u: u in active for u in users})

    def user_ids(self, *rids: RecipientIds | None) -> set[int]:
        out: set[int] = set()
        for r in rids:
            if r is None:
                continue
            out.update(u for u in r.users if self.active.get(u))
            for unit in r.units:
                out.update(self.unit_users.get(unit, ()))
        return out

    def count(self, kind: str, users: Iterable[int], line: str) -> None:
        per_kind = self.digests.setdefault(kind, {})
        for uid in users:
            lines = per_kind.setdefault(uid, {})
            lines[line] = lines.get(line, 0) + 1


def _keyset(qs: models.QuerySet, size: int) -> Iterator[list[Any]]:
    """Key-set pagination by pk: constant memory, safe to write while reading, same on both databases."""
    last = None
    while True:
        page = qs.filter(pk__gt=last) if last is not None else qs
        rows = list(page.order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def sweep(*, today: dt.date | None = None, sources: Iterable[str] | None = None,
          batch: int | None = None) -> SweepReport:
    """Remind before deadlines and climb the ladders after them, for every registered source (or ``sources``).

    Set-based: the number of queries grows with sources × steps × batches, not with items."""
    global _office_cache
    today = today or timezone.localdate()
    report = SweepReport(today=today)
    run = _Run(today)
    _office_cache = {}
    try:
        with audit_context(source=Source.SYSTEM):
            for key in (list(sources) if sources is not None else list(SOURCES)):
                source = get_source(key)
                sr = report.sources[key] = SourceReport(key=key, label=source.label)
                try:
                    _sweep_source(source, run, report, sr, batch or BATCH)
                except Exception as exc:  # one broken source must not stop the others
                    logger.exception("sweep of %s failed", key)
                    report.errors.append(_("%(l)s：巡查失败（%(e)s）") % {"l": source.label, "e": exc})
            report.notifications = _send_digests(run)
            report.errors += run.errors
    finally:
        _office_cache = None
    return report


def _sweep_source(source: DeadlineSource, run: _Run, report: SweepReport, sr: SourceReport, size: int) -> None:
    ladder = ladder_for(source)
    steps = list(ladder.steps.order_by("order", "after_workdays", "pk")) if ladder else []
    if source.ladder and ladder is None:
        report.errors.append(_("%(l)s：督办阶梯“%(c)s”不存在或已停用，逾期事项只标记不升级。") % {
            "l": source.label, "c": source.ladder})
    for threshold, first, last in reminder_windows(run.today, sorted(set(source.remind_before))):
        marked = ReminderMark.objects.filter(source_key=source.key, object_id=OuterRef("pk"), due_date=OuterRef("_due"),
                                             threshold=threshold)
        qs = source.dated_items().filter(_due__gte=first, _due__lte=last).exclude(Exists(marked))
        for items in _keyset(qs, size):
            _guarded(source, report, sr, lambda items=items, t=threshold: _remind_batch(source, items, t, run, sr))
    # Highest step first: an item first seen long overdue is announced once, at the highest step it newly
    # reached (every passed step is still recorded); ties keep the ladder's order.
    announced: dict[bool, set[int]] = {False: set(), True: set()}
    for step in sorted(steps, key=lambda s: (-s.after_workdays, s.order, s.pk)):
        filed = EscalationRecord.objects.filter(source_key=source.key, object_id=OuterRef("pk"), step_id=step.pk,
                                                due_date=OuterRef("_due"))
        qs = source.overdue_queryset(run.today).filter(
            _due__lte=overdue_cutoff(run.today, step.after_workdays)).exclude(Exists(filed))
        if source.title_sql is not None and source.url_sql is not None:
            _climb_in_database(source, step, qs, run, report, sr, announced, size)
            continue
        for items in _keyset(qs, size):
            _guarded(source, report, sr,
                     lambda items=items, step=step: _climb_batch(source, step, items, run, sr, announced))


def _guarded(source: DeadlineSource, report: SweepReport, sr: SourceReport, work: Any) -> None:
    """One short transaction per batch (the audit chain's head is locked once per batch, not per item); a
    failing batch is rolled back, reported, and the sweep goes on (a re-run retries it). Between batches the
    sweep yields to the users (``core.background.yield_to_users``: a pause while other connections are busy)."""
    start = time.perf_counter()
    try:
        with transaction.atomic():
            work()
    except Exception as exc:
        logger.exception("sweep batch of %s failed", source.key)
        sr.errors += 1
        report.errors.append(_("%(l)s：%(e)s") % {"l": source.label, "e": exc})
    report.paused += yield_to_users(time.perf_counter() - start)


def _remind_batch(source: DeadlineSource, items: list[Any], threshold: int, run: _Run, sr: SourceReport) -> None:
    stamp = run.stamp()
    ReminderMark.objects.bulk_create(
        [ReminderMark(source_key=source.key, object_id=o.pk, due_date=o._due, threshold=threshold, created_at=stamp)
         for o in items], ignore_conflicts=True)
    mine = set(ReminderMark.objects.filter(source_key=source.key, threshold=threshold, created_at=stamp,
                                           object_id__in=[o.pk for o in items]).values_list("object_id", flat=True))
    items = [o for o in items if o.pk in mine]  # a concurrent sweep may have marked some first
    sr.scanned += len(items)
    sr.reminders += len(items)
    responsible = source.recipients_many(items)
    run.prime(responsible.values())
    line = _("%(label)s即将%(kind)s") % {"label": source.label, "kind": source.kind_label}
    for obj in items:
        run.count(Kind.REMINDER, run.user_ids(responsible.get(obj.pk)), line)


def _climb_batch(source: DeadlineSource, step: EscalationStep, items: list[Any], run: _Run, sr: SourceReport,
                 announced: dict[bool, set[int]]) -> None:
    status = RecordStatus.PROPOSED if step.needs_decision else RecordStatus.APPLIED
    verb = _("提请决定") if step.needs_decision else _("执行")
    stamp = run.stamp()
    rows: dict[int, EscalationRecord] = {}
    for obj in items:
        over = run.overdue_workdays(obj._due)
        try:
            title, url = source.title(obj), source.url(obj)
        except Exception as exc:  # one broken item must not hold up its batch
            logger.exception("sweep of %s #%s failed", source.key, obj.pk)
            sr.errors += 1
            run.errors.append(_("%(l)s #%(p)s：%(e)s") % {"l": source.label, "p": obj.pk, "e": exc})
            continue
        rows[obj.pk] = EscalationRecord(
            source_key=source.key, object_type=source.object_type, object_id=obj.pk,
            object_title=title[:300], object_url=url[:500], step=step, action=step.action,
            status=status, due_date=obj._due, overdue_workdays=over, created_at=stamp, **scope_keys(obj),
            note=_("逾期 %(n)s 个工作日，按督办阶梯自动%(v)s") % {"n": over, "v": verb})
    EscalationRecord.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=BATCH)
    created = dict(EscalationRecord.objects.filter(source_key=source.key, step=step, created_at=stamp,
                                                   object_id__in=list(rows)).values_list("object_id", "pk"))
    mine = [rows[oid] for oid in sorted(created)]  # a concurrent sweep may have filed some first
    for record in mine:
        record.pk = created[record.object_id]
    if step.needs_decision:
        rank_proposals(EscalationRecord.objects.filter(source_key=source.key, object_id__in=list(created)))
    audit.record_many((("escalation.propose" if step.needs_decision else "escalation.apply", r,
                        {"source": source.key, "object_id": r.object_id, "action": step.action, "status": status,
                         "due_date": r.due_date.isoformat(), "overdue_workdays": r.overdue_workdays}, "")
                       for r in mine), jsonable=True)
    sr.scanned += len(mine)
    if step.needs_decision:
        sr.proposed += len(mine)
    else:
        sr.applied += len(mine)
    seen = announced[step.needs_decision]
    targets = [o for o in items if o.pk in created and o.pk not in seen]
    seen.update(o.pk for o in targets)
    if not targets:
        return
    action = step.get_action_display()
    if step.needs_decision:
        line = _("%(label)s · 拟%(action)s") % {"label": source.label, "action": action}
        for obj in targets:
            run.count(Kind.DECISION, (u.pk for u in office_users(rows[obj.pk].jurisdiction_path)), line)
        return
    kind = Kind.OVERDUE if step.action == Action.REMINDER else Kind.ESCALATION
    line = _("%(label)s · %(action)s") % {"label": source.label, "action": action}
    responsible = source.recipients_many(targets) if step.notify_responsible else {}
    supervisors = source.recipients_many(targets, supervisors=True) if step.notify_supervisors else {}
    run.prime([*responsible.values(), *supervisors.values()])
    for obj in targets:
        users = run.user_ids(responsible.get(obj.pk), supervisors.get(obj.pk))
        if step.notify_office:
            users.update(u.pk for u in office_users(rows[obj.pk].jurisdiction_path))
        run.count(kind, users, line)


RECORD_COLUMNS = ("object_id", "object_title", "object_url", "due_date", "jurisdiction_path", "domain_id",
                  "enterprise_id", "source_key", "object_type", "step_id", "action", "status", "manual",
                  "created_at", "note", "overdue_workdays", "outranked")


def rank_proposals(records: models.QuerySet) -> int:
    """Set ``outranked`` right (``EscalationRecord.higher_proposal``) on ``records``, which must hold every record
    whose mark a change may have moved: after proposals are filed or decided, or steps reordered or removed. Two
    UPDATEs that write only the rows whose mark changes; returns how many."""
    higher = EscalationRecord.higher_proposal()
    n = records.filter(status=RecordStatus.PROPOSED, outranked=False).filter(higher).update(outranked=True)
    return n + records.filter(outranked=True).exclude(
        Exists(EscalationRecord.objects.filter(pk=OuterRef("pk"), status=RecordStatus.PROPOSED).filter(higher))
    ).update(outranked=False)


RANK_BATCH = 50_000


def rank_ladder_proposals(ladder_id: int, *, batch: int | None = None) -> int:
    """``rank_proposals`` over every proposal of a ladder's steps (and those left without a step), after its steps
    were reordered or removed: by id range, each range its own transaction, yielding to the users in between."""
    candidates = (EscalationRecord.objects.filter(Q(step__ladder_id=ladder_id) | Q(step__isnull=True))
                  .filter(Q(status=RecordStatus.PROPOSED) | Q(outranked=True)))
    bounds = EscalationRecord.objects.aggregate(lo=models.Min("pk"), hi=models.Max("pk"))
    if bounds["lo"] is None:
        return 0
    changed, batch = 0, batch or RANK_BATCH
    for start in range(bounds["lo"], bounds["hi"] + 1, batch):
        began = time.perf_counter()
        with transaction.atomic():
            changed += rank_proposals(candidates.filter(pk__gte=start, pk__lt=start + batch))
        yield_to_users(time.perf_counter() - began)
    return changed


def copied_keys_sql(model: type[models.Model]) -> dict[str, Any]:
    """The record's copied scope keys as expressions over the item (``scope_keys`` in SQL)."""
    from django.db.models import CharField, F, IntegerField, Value
    from django.db.models.functions import Cast

    names = {f.attname for f in model._meta.concrete_fields}
    null = Cast(Value(None), output_field=IntegerField())  # a typed NULL (PostgreSQL reads a bare one as text)
    return {
        "_jp": F("jurisdiction_path") if "jurisdiction_path" in names else Value("", output_field=CharField()),
        "_dom": F("domain_id") if "domain_id" in names else null,
        "_ent": F("enterprise_id") if "enterprise_id" in names else null,
    }


def _climb_in_database(source: DeadlineSource, step: EscalationStep, qs: models.QuerySet, run: _Run,
                       report: SweepReport, sr: SourceReport, announced: dict[bool, set[int]], size: int) -> None:
    """File one ladder step in the database: per deadline date (the working days overdue, and so the note, are
    the same for all its items), ``size`` items at a time, one ``INSERT … SELECT … ON CONFLICT DO NOTHING
    RETURNING`` in its own transaction with its change-log events (one per record, through ``record_many``) and
    its digest counts. Nothing is loaded but the items' ids, the new records' ids and what the digests need; a
    concurrent sweep's records are skipped by the unique key, as in the per-item path."""
    from django.db.models import CharField
    from django.db.models.functions import Left

    status = RecordStatus.PROPOSED if step.needs_decision else RecordStatus.APPLIED
    verb = _("提请决定") if step.needs_decision else _("执行")
    action_name = "escalation.propose" if step.needs_decision else "escalation.apply"
    action_label = Action(step.action).label
    selected = qs.annotate(_oid=F("pk"), _t=Left(source.title_sql(), 300, output_field=CharField()),
                           _u=Left(source.url_sql(), 500, output_field=CharField()), **copied_keys_sql(source.model))
    dues = sorted(selected.order_by().values_list("_due", flat=True).distinct())
    connection = transaction.get_connection()
    table = connection.ops.quote_name(EscalationRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in RECORD_COLUMNS)
    picked = ", ".join(f's."{c}"' for c in ("_oid", "_t", "_u", "_due", "_jp", "_dom", "_ent"))
    for due in dues:
        over = run.overdue_workdays(due)
        note = _("逾期 %(n)s 个工作日，按督办阶梯自动%(v)s") % {"n": over, "v": verb}
        constants = [source.key, source.object_type, step.pk, step.action, status, False, run.stamp(), note, over,
                     False]
        # The date's items are read once, ids only (one pass of the anti-join); each batch then files an id range
        # of them: a short transaction whatever the date holds (one statement for a date of 30,000 items held the
        # users up for 15 s), and no re-scan of the date's index entries per batch as paging by LIMIT would.
        ids = list(selected.filter(_due=due).order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), size):
            page = selected.filter(_due=due, pk__gte=ids[i], pk__lte=ids[min(i + size, len(ids)) - 1]).order_by()
            inner, params = page.values_list("_oid", "_t", "_u", "_due", "_jp", "_dom", "_ent").query.sql_with_params()
            sql = (f"INSERT INTO {table} ({columns}) SELECT {picked}, {', '.join(['%s'] * len(constants))} "
                   f"FROM ({inner}) AS s WHERE true ON CONFLICT DO NOTHING "
                   f"RETURNING id, object_id, object_title, jurisdiction_path")
            done: list[tuple[Any, ...]] = []

            def work(sql: str = sql, params: tuple[Any, ...] = params, due: dt.date = due, over: int = over,
                     constants: list[Any] = constants, done: list[tuple[Any, ...]] = done) -> None:
                with connection.cursor() as cur:
                    cur.execute(sql, [*constants, *params])
                    rows = sorted(cur.fetchall(), key=lambda r: r[1])
                ref = audit.Ref
                audit.record_many(((action_name, ref("escalation.escalationrecord", rid, f"{title} · {action_label}"),
                                    {"source": source.key, "object_id": oid, "action": step.action, "status": status,
                                     "due_date": due.isoformat(), "overdue_workdays": over}, "")
                                   for rid, oid, title, _path in rows), jsonable=True, batch=size)
                _count_step(source, step, rows, run, announced)
                if step.needs_decision:
                    rank_proposals(EscalationRecord.objects.filter(
                        source_key=source.key, due_date=due, object_id__in=[oid for _rid, oid, _t, _p in rows]))
                done[:] = rows

            _guarded(source, report, sr, work)
            sr.scanned += len(done)
            if step.needs_decision:
                sr.proposed += len(done)
            else:
                sr.applied += len(done)


def _count_step(source: DeadlineSource, step: EscalationStep, rows: list[tuple[Any, ...]], run: _Run,
                announced: dict[bool, set[int]]) -> None:
    """Count the newly filed records of a step into the day's digests (each item once per kind of step)."""
    seen = announced[step.needs_decision]
    paths = {oid: path for _rid, oid, _title, path in rows if oid not in seen}
    seen.update(paths)
    if not paths:
        return
    action = step.get_action_display()
    if step.needs_decision:
        line = _("%(label)s · 拟%(action)s") % {"label": source.label, "action": action}
        for path in paths.values():
            run.count(Kind.DECISION, (u.pk for u in office_users(path)), line)
        return
    kind = Kind.OVERDUE if step.action == Action.REMINDER else Kind.ESCALATION
    line = _("%(label)s · %(action)s") % {"label": source.label, "action": action}
    targets: list[Any] = []
    if step.notify_responsible or step.notify_supervisors:
        targets = list(source.dated_items().filter(pk__in=list(paths)).order_by("pk"))
    responsible = source.recipients_many(targets) if step.notify_responsible else {}
    supervisors = source.recipients_many(targets, supervisors=True) if step.notify_supervisors else {}
    run.prime([*responsible.values(), *supervisors.values()])
    for oid, path in paths.items():
        users = run.user_ids(responsible.get(oid), supervisors.get(oid))
        if step.notify_office:
            users.update(u.pk for u in office_users(path))
        run.count(kind, users, line)


def _send_digests(run: _Run) -> int:
    """The day's digests: one per recipient and kind (created, or updated when an earlier run wrote it)."""
    from django.urls import reverse

    from accounts.models import RoleGrant
    from escalation.choices import BOARD_ROLES
    from notifications.services import notify_digest

    urls = {Kind.REMINDER: reverse("escalation:board"),
            Kind.DECISION: _board_url(),
            Kind.OVERDUE: f"{reverse('escalation:records')}?date={run.today.isoformat()}",
            Kind.ESCALATION: f"{reverse('escalation:records')}?date={run.today.isoformat()}"}
    # An enterprise account (or anyone else who does not open the 督办台) is sent to its home page, where its
    # own overdue and due-soon work is listed.
    recipients = sorted({uid for counts in run.digests.values() for uid in counts})
    board = set()
    for start in range(0, len(recipients), BATCH):
        board.update(RoleGrant.objects.filter(role__in=BOARD_ROLES, user_id__in=recipients[start:start + BATCH])
                     .values_list("user_id", flat=True))
    home = reverse("core:home")
    total = 0
    for kind, counts in run.digests.items():
        total += notify_digest(day=run.today, kind=kind, counts=counts, url=urls[kind], source_key="escalation",
                               urls={uid: home for uid in counts if uid not in board})
    return total


def _board_url() -> str:
    from django.urls import reverse

    return reverse("escalation:board") + "#decisions"


def _announce(source: DeadlineSource, obj: Any, record: EscalationRecord, responsible: bool, supervisors: bool,
              office: bool, over: int) -> int:
    rec = _recipients(source, obj, responsible=responsible, supervisors=supervisors, office=office,
                      path=record.jurisdiction_path)
    action = record.get_action_display()
    kind = Kind.OVERDUE if record.action == Action.REMINDER else Kind.ESCALATION
    body = _("%(label)s“%(title)s”期限为 %(d)s，已逾期 %(n)s 个工作日，现予%(action)s。") % {
        "label": source.label, "title": record.object_title, "d": cn_date(record.due_date), "n": over,
        "action": action}
    if record.note and record.manual:
        body += _("说明：%(note)s") % {"note": record.note}
    return _send(rec, title=_("【%(action)s】%(label)s逾期：%(title)s") % {
        "action": action, "label": source.label, "title": record.object_title},
        body=body, url=record.object_url, kind=kind, obj=obj, source_key=source.key,
        dedupe_key=f"escalation:{record.pk}")


# -- decisions by the office ------------------------------------------------------------------------------
def _check_office(actor: Any) -> None:
    if actor is None or not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以决定督办措施。"))


def _visible_object(actor: Any, source: DeadlineSource, object_id: int) -> Any:
    obj = source.model.objects.visible_to(actor).filter(pk=object_id).first()
    if obj is None:
        raise PermissionDenied(_("该事项不在您的管辖范围内。"))
    return obj


DECISION_FIELDS = ["status", "decided_by", "decided_at", "note"]


def _check_record_visible(actor: Any, record: EscalationRecord) -> None:
    if not EscalationRecord.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise PermissionDenied(_("该督办记录不在您的管辖范围内。"))


def _apply_decision(step: Step) -> None:
    record = step.obj
    record.decided_by, record.decided_at = step.actor, step.now
    if step.note:
        record.note = f"{record.note}\n{step.note}".strip() if record.note else step.note


def _after_decision(step: Step) -> None:
    record = step.obj
    if step.action != "confirm":
        return
    if record.step_id is not None:
        _supersede_lower(step.actor, record)
    if record.source_key in SOURCES:
        source = SOURCES[record.source_key]
        obj = source.model._default_manager.filter(pk=record.object_id).first()
        if obj is not None:
            _announce(source, obj, record, True, True, bool(record.step and record.step.notify_office),
                      record.overdue_workdays)


def decide(*, actor: Any, record: EscalationRecord, confirm: bool, note: str = "") -> EscalationRecord:
    """The office confirms or dismisses a proposed step; a confirmed step notifies the responsible and
    the supervisors (in the transaction, as part of the decision). Who decided, and when, is recorded."""
    _check_office(actor)
    with transaction.atomic():
        record = transition(workflow=RECORD_TRANSITIONS, obj=record, action="confirm" if confirm else "dismiss",
                            actor=actor, note=note, check=_check_record_visible, apply=_apply_decision,
                            on_applied=_after_decision, audit_fields=DECISION_FIELDS)
        # The decided record and any it superseded leave the pending ones; a lower proposal it outranked returns.
        rank_proposals(EscalationRecord.objects.filter(source_key=record.source_key, object_id=record.object_id,
                                                       due_date=record.due_date))
        record.refresh_from_db(fields=["outranked"])
    return record


@dataclass
class Refusal:
    """Why one record of a batch decision was refused."""

    record_id: int
    title: str
    reason: str


class BatchRefused(Exception):
    """A batch decision refused as a whole: nothing was decided; ``refusals`` says which item failed and why."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("; ".join(f"{r.title}: {r.reason}" for r in refusals))
        self.refusals = refusals


MAX_BATCH = 200


@transaction.atomic
def decide_many(*, actor: Any, record_ids: Iterable[int], confirm: bool, note: str = "") -> list[EscalationRecord]:
    """One decision and one note for many proposed steps, applied to each through ``decide`` (the record
    workflow), all or nothing: when any item is refused, none is decided and ``BatchRefused`` lists every
    refusal. Ids the actor cannot see refuse the batch before anything is tried (``PermissionDenied``)."""
    _check_office(actor)
    ids = list(dict.fromkeys(record_ids))
    if not ids:
        raise ValidationError(_("请至少选择一项待决定的督办措施。"))
    if not confirm and not (note or "").strip():
        raise ValidationError(_("不予执行时请说明理由。"))
    if len(ids) > MAX_BATCH:
        raise ValidationError(_("一次最多决定 %(n)s 项。") % {"n": MAX_BATCH})
    records = {r.pk: r for r in EscalationRecord.objects.visible_to(actor).filter(pk__in=ids).select_related("step")}
    if len(records) != len(ids):
        raise PermissionDenied(_("所选督办记录不存在或不在您的管辖范围内。"))
    decided, refusals = [], []
    for pk in ids:
        record = records[pk]
        try:
            with transaction.atomic():
                decided.append(decide(actor=actor, record=record, confirm=confirm, note=note))
        except (ValidationError, PermissionDenied) as exc:
            reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refusals.append(Refusal(pk, record.object_title, reason))
    if refusals:
        raise BatchRefused(refusals)
    return decided


def _supersede_lower(actor: Any, record: EscalationRecord) -> None:
    """Confirming a higher step (挂牌督办) settles the lower proposals still open for the same deadline
    (约谈): they are closed as not carried out, by the same decision, and say why."""
    lower = (EscalationRecord.objects
             .filter(source_key=record.source_key, object_id=record.object_id, due_date=record.due_date,
                     status=RecordStatus.PROPOSED, step__order__lt=record.step.order))
    reason = _("已由更高一级措施“%(a)s”取代") % {"a": record.get_action_display()}

    def settle(step: Step) -> None:
        step.obj.decided_by, step.obj.decided_at, step.obj.note = step.actor, record.decided_at, reason

    for other in lower:
        transition(workflow=RECORD_TRANSITIONS, obj=other, to=RecordStatus.DISMISSED, actor=actor, note=reason,
                   apply=settle, audit_action="escalation.supersede", audit_extra={"by": record.pk})


@transaction.atomic
def escalate_manually(*, actor: Any, source_key: str, obj: Any, action: str, note: str) -> EscalationRecord:
    """The office escalates an item before the ladder would (or beyond it)."""
    _check_office(actor)
    source = get_source(source_key)
    if action not in Action.values:
        raise ValidationError({"action": _("请选择督办措施。")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明督办理由。")})
    obj = _visible_object(actor, source, obj.pk)
    due = due_of(source, obj)
    if due is None:
        raise ValidationError(_("该事项没有期限，不能督办。"))
    today = timezone.localdate()
    over = workdays.workdays_between(due, today) if due < today else 0
    record = EscalationRecord.objects.create(
        source_key=source.key, object_type=source.object_type, object_id=obj.pk,
        object_title=source.title(obj)[:300], object_url=source.url(obj)[:500], step=None, action=action,
        status=RecordStatus.CONFIRMED, manual=True, created_by=actor, decided_by=actor, decided_at=timezone.now(),
        note=note, due_date=due, overdue_workdays=over, **scope_keys(obj))
    audit.record(actor=actor, action="escalation.escalate", obj=record,
                 changes={"source": source.key, "object_id": obj.pk, "action": action, "due_date": due}, note=note)
    _announce(source, obj, record, True, True, False, over)
    return record


# -- ladder configuration by the office -------------------------------------------------------------------
STEP_FIELDS = ["order", "action", "after_workdays", "notify_responsible", "notify_supervisors", "notify_office",
               "needs_decision"]


def _ladder_state(ladder: EscalationLadder) -> dict[str, Any]:
    state = audit.snapshot(ladder, ["code", "name", "applies_to", "active"])
    state["steps"] = [[getattr(s, f) for f in STEP_FIELDS] for s in ladder.steps.order_by("order", "pk")] \
        if ladder.pk else []
    return state


@transaction.atomic
def ladder_save(*, actor: Any, ladder: EscalationLadder | None, values: dict[str, Any],
                steps: list[dict[str, Any]]) -> EscalationLadder:
    """Create or edit a ladder and replace its steps (``steps``: dicts with STEP_FIELDS and optional ``id``)."""
    _check_office(actor)
    errors: dict[str, Any] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("请填写阶梯名称。")
    if ladder is None:
        code = (values.get("code") or "").strip()
        if not code:
            errors["code"] = _("请填写代码。")
        elif EscalationLadder.objects.filter(code=code).exists():
            errors["code"] = _("代码“%(c)s”已被使用。") % {"c": code}
    applies_to = values.get("applies_to") or ""
    if applies_to and applies_to not in SOURCES:
        errors["applies_to"] = _("未知的事项类别。")
    seen: set[tuple[str, int]] = set()
    for s in steps:
        if s["action"] not in Action.values:
            errors.setdefault("__all__", []).append(_("未知的督办措施。"))
        if (s["action"], s["after_workdays"]) in seen:
            errors.setdefault("__all__", []).append(_("同一措施在同一天出现两次：%(a)s") % {
                "a": Action(s["action"]).label})
        seen.add((s["action"], s["after_workdays"]))
    if errors:
        raise ValidationError(errors)
    if ladder is None:
        ladder = EscalationLadder(code=values["code"].strip())
        before: dict[str, Any] = {}
    else:
        ladder = EscalationLadder.objects.select_for_update().get(pk=ladder.pk)
        before = _ladder_state(ladder)
    ladder.name = values["name"].strip()
    ladder.applies_to = applies_to
    ladder.active = bool(values.get("active", True))
    ladder.save()
    keep: list[int] = []
    orders = dict(ladder.steps.values_list("pk", "order")) if ladder.pk else {}
    for s in sorted(steps, key=lambda s: (s["order"], s["after_workdays"])):
        step = ladder.steps.filter(pk=s.get("id")).first() if s.get("id") else None
        step = step or EscalationStep(ladder=ladder)
        for f in STEP_FIELDS:
            setattr(step, f, s[f])
        step.save()
        keep.append(step.pk)
    ladder.steps.exclude(pk__in=keep).delete()
    if any(orders.get(pk, order) != order for pk, order in ladder.steps.values_list("pk", "order")) or \
            set(orders) - set(keep):
        # Which proposal outranks which follows the steps' order; a removed step's records keep no step (and so
        # neither outrank nor are outranked). Re-marked by the worker once this commits: over a province's 3M
        # proposals it takes half a minute, longer than a request may.
        from escalation.tasks import rank_ladder

        ladder_id = ladder.pk
        transaction.on_commit(lambda: rank_ladder.enqueue(ladder_id))
    after = _ladder_state(ladder)
    audit.record(actor=actor, action="escalation.ladder_save", obj=ladder, changes=audit.diff(before, after))
    return ladder
