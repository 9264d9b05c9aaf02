"""The one import pipeline, and :class:`Importer`, the spec every importer is.

An import runs in five steps, the same for every importer:

1. **authorize** — may the actor import this at all (PermissionDenied);
2. **read** — the workbook within the limits, its sheets, header and column mapping (``core.imports.reader``):
   a file without a table, with a required column missing or beyond the limits is refused as a whole;
3. **validate** row by row — every column's ``parse``, then the importer's :meth:`Importer.clean` of the row,
   then :meth:`Importer.check` across rows; every problem becomes a :class:`~core.imports.report.RowError`;
4. **commit** all or nothing — only when no row has a problem, :meth:`Importer.write` runs in one transaction;
   a problem it reports, or a ValidationError it raises, rolls every write back;
5. the :class:`~core.imports.report.Outcome` — counts and the report; large files run the same steps in the
   background worker (``core.imports.services``), the upload page and the job page show the same report.

An importer declares its columns (with Chinese headers, synonyms, required or not, a parser each) and
overrides the steps it needs; everything else — reading, mapping, the preview, limits, progress, the report,
the transaction, the background job — is the pipeline's.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.imports.reader import Plan, plan_book
from core.imports.report import Outcome, RowError
from core.spreadsheet import Column, read_book

Progress = Callable[[str, int, int], None]  # (phase "validate" | "write", rows done, rows in all)


class Importer:
    """One kind of import. Subclass it, set ``key`` (the registry key, ``ImportJob.kind``) and override:

    * :meth:`columns` — what the file holds; :meth:`header_found` — when a row is the header;
    * :meth:`title`, :meth:`upload_url`, :meth:`done_url`, :meth:`done_message` — its pages;
    * :meth:`authorize`, :meth:`prepare`, :meth:`clean`, :meth:`check`, :meth:`write` — its rules and writes;
    * :meth:`mapping_context` — who shares the column choices saved from its previews.
    """

    key: str = ""
    heading_key: str | None = None  # the column a merged heading row fills for the rows below it
    empty_message: str = ""  # when set, a file without data rows is refused with it
    no_header_message: str = ""
    progress_every: int = 500

    # -- what it reads
    def columns(self, params: dict[str, Any]) -> Sequence[Column]:
        raise NotImplementedError

    def header_found(self, keys: set[str], columns: Sequence[Column]) -> bool:
        """Whether a row naming these of ``columns`` is the header (default: at least two of them)."""
        return len(keys) >= min(2, len(columns))

    # -- its pages
    def title(self, params: dict[str, Any]) -> str:
        raise NotImplementedError

    def upload_url(self, params: dict[str, Any]) -> str:
        raise NotImplementedError

    def done_url(self, params: dict[str, Any]) -> str:
        raise NotImplementedError

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        """The message after a successful import; ``counts`` is an Outcome or a finished ImportJob."""
        return _("导入完成：共 %(t)d 行，新增 %(c)d 条，更新 %(u)d 条。") % {
            "t": counts.total, "c": counts.created, "u": counts.updated}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        """Whose saved column choices apply: by default the uploader's unit (or the uploader)."""
        if actor is None:
            return None
        unit = getattr(actor, "unit_id", None)
        return f"unit:{unit}" if unit else f"user:{actor.pk}"

    def review(self, plan: Plan, *, actor: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        """What the import will do to records already stored, shown under the mapping preview: a context for
        ``template`` (its key), or None. With ``required`` true the preview is shown before anything is
        written (a re-import that changes or removes records), even when every column is kept."""
        return None

    # -- its rules and writes
    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        """Raise PermissionDenied when ``actor`` may not run this import."""

    def prepare(self, run: Run) -> Any:
        """Look-ups for the rows (kept as ``run.ctx``)."""
        return None

    def clean(self, row: Row, run: Run) -> Any:
        """Check one row after its columns parsed: ``row.values`` holds every column whose parser accepted the
        cell (a refused one is already reported and absent). Report with ``row.error()``. What it returns
        (unless None, or the row has errors) goes to :meth:`check` and :meth:`write`."""
        return row

    def check(self, items: list[Any], run: Run) -> None:
        """Checks across rows (duplicates, existing records, scope); report with ``run.error()``."""

    def write(self, items: list[Any], run: Run) -> None:
        """Write every item (inside the pipeline's transaction), counting on ``run.outcome``."""
        raise NotImplementedError

    # -- the pipeline
    def plan(self, file: IO[bytes] | Any, *, actor: Any, params: dict[str, Any],
             mapping: dict[str, Any] | None = None) -> Plan:
        """Read ``file`` and map its columns: the mapping preview (ValidationError beyond the limits)."""
        from core.imports.services import mapping_saved

        columns = self.columns(params)
        context = self.mapping_context(actor, params)
        return plan_book(read_book(file), columns,
                         saved=mapping_saved(kind=self.key, context=context) if context is not None else None,
                         chosen=mapping, header_found=lambda keys: self.header_found(keys, columns),
                         heading_key=self.heading_key)

    def run(self, *, actor: Any, file: IO[bytes] | Any = None, params: dict[str, Any] | None = None,
            progress: Progress | None = None, mapping: dict[str, Any] | None = None,
            plan: Plan | None = None) -> Outcome:
        """Import ``file`` (or an already read ``plan``): all or nothing, reported row by row."""
        return execute(self, actor=actor, file=file, params=params or {}, progress=progress, mapping=mapping,
                       plan=plan)


@dataclass
class Run:
    """One import under way: what the importer's steps share."""

    importer: Importer
    actor: Any
    params: dict[str, Any]
    outcome: Outcome
    progress: Progress | None = None
    ctx: Any = None

    def error(self, row: int | None, column: Any, message: Any, sheet: str = "") -> None:
        self.outcome.errors.append(RowError(row, column, message, sheet))

    def tick(self, phase: str, done: int) -> None:
        if self.progress is not None and (done == 0 or done % self.importer.progress_every == 0):
            self.progress(phase, done, self.outcome.total)

    @contextmanager
    def guard(self, line: int | None, *, sheet: str = "", label: Callable[[str], str] = str) -> Iterator[None]:
        """Report a service's refusal of one row (ValidationError by field, named through ``label``;
        PermissionDenied) and go on, so every bad row is named; the write phase is rolled back at the end."""
        try:
            yield
        except ValidationError as exc:
            pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            for name, messages in pairs:
                for message in messages:
                    self.error(line, label(name) if name and name != "__all__" else "", message, sheet)
        except PermissionDenied as exc:
            self.error(line, "", str(exc) or _("您没有执行此操作的权限。"), sheet)


class Row:
    """A data row: where it is, its raw cells and parsed values by column key."""

    __slots__ = ("line", "sheet", "raw", "values", "failed", "_run")

    def __init__(self, run: Run, line: int, sheet: str, raw: dict[str, Any]) -> None:
        self._run, self.line, self.sheet, self.raw = run, line, sheet, raw
        self.values: dict[str, Any] = {}
        self.failed = False

    def error(self, column: Any, message: Any) -> None:
        self._run.error(self.line, column, message, self.sheet)
        self.failed = True


class _Rollback(Exception):
    pass


def execute(importer: Importer, *, actor: Any, file: IO[bytes] | Any, params: dict[str, Any],
            progress: Progress | None, mapping: dict[str, Any] | None, plan: Plan | None) -> Outcome:
    importer.authorize(actor, params)
    # Tens of thousands of short-lived row objects make the cyclic garbage collector rescan everything again
    # and again (quadratic in practice); nothing here builds reference cycles worth collecting.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _execute(importer, Run(importer, actor, params, Outcome(), progress), file, mapping, plan)
    finally:
        if enabled:
            gc.enable()


def _execute(importer: Importer, run: Run, file: Any, mapping: dict[str, Any] | None, plan: Plan | None) -> Outcome:
    outcome = run.outcome
    t0 = time.perf_counter()
    try:
        plan = plan or importer.plan(file, actor=run.actor, params=run.params, mapping=mapping)
        if not plan.table_found:
            return Outcome.refused([importer.no_header_message or _("没有找到表头行，请使用下载的导入模板。")])
        if plan.conflicts():
            return Outcome.refused(plan.conflicts())
        outcome.missing_headers = [c.header for c in plan.missing()]
        if outcome.missing_headers:
            return outcome
        sources = plan.rows()
    except ValidationError as exc:  # the file as a whole: beyond the limits, or not a workbook
        return Outcome.refused(exc.messages)
    outcome.notes = plan.notes()
    outcome.total = len(sources)
    t1 = time.perf_counter()
    outcome.timings["read"] = t1 - t0
    if not sources and importer.empty_message:
        run.error(None, "", importer.empty_message)
        return outcome
    run.ctx = importer.prepare(run)
    columns = plan.columns
    items: list[Any] = []
    for n, source in enumerate(sources, start=1):
        run.tick("validate", n)
        row = Row(run, source.line, source.sheet, source.raw)
        raw, values = source.raw, row.values
        for column in columns:
            if column.parse is None:
                values[column.key] = raw.get(column.key)
                continue
            try:
                values[column.key] = column.parse(raw.get(column.key))
            except ValueError as exc:
                row.error(column.header, exc)
        item = importer.clean(row, run)
        if item is not None and not row.failed:
            items.append(item)
    importer.check(items, run)
    outcome.errors.sort(key=lambda e: e.order)
    t2 = time.perf_counter()
    outcome.timings["validate"] = t2 - t1
    if not outcome.ok:
        return outcome
    run.tick("write", 0)
    try:
        with transaction.atomic():
            try:
                importer.write(items, run)
            except ValidationError as exc:
                for message in exc.messages:
                    run.error(None, "", message)
            if outcome.errors:
                raise _Rollback
    except _Rollback:
        outcome.discard_writes()
        outcome.errors.sort(key=lambda e: e.order)
    outcome.timings["write"] = time.perf_counter() - t2
    return outcome
