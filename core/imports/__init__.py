"""Spreadsheet imports: one pipeline, and every importer a spec on it.

An importer (enterprise list, built-in ledgers, user-defined ledgers, task tables, the holiday calendar …)
is a subclass of :class:`Importer` registered here by ``key``. It declares its columns (Chinese headers,
synonyms, required or not, a parser each: ``core.spreadsheet.Column``) and its rules and writes (``clean``
a row, ``check`` across rows, ``write`` them); the pipeline does the rest, the same for all:

* ``reader`` — every sheet (instructions and hidden sheets skipped), header detection (title rows above it,
  one or two header rows, merged cells), column mapping by name, synonym, keyword or a saved choice, and the
  mapping preview (which column feeds which field, which are *not kept*, the first rows as they will read);
* ``pipeline`` — validate row by row into one report, then write all or nothing in one transaction;
* ``report`` — :class:`RowError` and :class:`Outcome`, the one report and result;
* ``services`` — the writes of the machinery: uploads kept for a preview or the worker (``ImportJob``),
  their confirmation and end, and column choices saved per context (``ImportMapping``);
* ``views`` — the upload flow any import page uses (:func:`~core.imports.views.upload_page`): limits, then the
  preview when a column would not be kept, the background worker above ``ANZHI_IMPORT_BACKGROUND_ROWS``, or
  the import at once; and the job page (``core:import_job``): the preview with a field to choose per column,
  the progress, the report.
"""

from __future__ import annotations

from core.imports.pipeline import Importer, Progress, Row, Run
from core.imports.reader import Plan
from core.imports.report import Outcome, RowError

__all__ = ["IMPORTERS", "Importer", "Outcome", "Plan", "Progress", "Row", "RowError", "Run", "register_importer"]

IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> Importer:
    if not importer.key:
        raise ValueError(f"{type(importer).__name__} has no key")
    IMPORTERS[importer.key] = importer
    return importer
