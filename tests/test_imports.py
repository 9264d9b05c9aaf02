"""Every importer keeps to the size and row ceilings and runs large files in the background
(issue 9, item 10).

The importers are found in the registry (core.imports.IMPORTERS); each is driven through its own upload
page and through the worker's entry point. A registered importer this test cannot drive fails it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import imports
from core.models import ChangeEvent, ImportJob, ImportStatus
from core.spreadsheet import read_rows
from core.xlsx import Workbook
from tests.personas import World

BOOKKEEPING = ("core.import_queue", "core.import_finish")


def _how(hostile: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], dict[str, Any]]]:
    """importer key → (persona, params, extra form fields of its upload page)."""
    from ledgers.models import LedgerDefinition

    plan = hostile["plan"]
    return {
        "enterprises": ("office", {}, {}),
        "ledger": ("office", {"spec": "equipment"}, {}),
        "custom_ledger": ("office", {"definition": LedgerDefinition.objects.order_by("-pk").first().pk}, {}),
        "workdays": ("sysadmin", {"year": 2031, "source": ""}, {"source": "测试"}),
        "task_table": ("office", {"plan": plan.pk, "year": 2024}, {"plan": plan.pk, "year": 2024}),
        "enforcement_plan": ("regulator", {"year": 2026}, {"year": 2026}),
        "checklist": ("office", {"checklist": hostile["checklist"].pk}, {}),
        "accidents_history": ("office", {}, {}),
        "campaign_goals": ("office", {"campaign": plan.campaign_id}, {}),
    }


def xlsx(rows: int, header: list[str] | None = None, filler: str = "x") -> bytes:
    book = Workbook()
    ws = book.sheet("s")
    ws.write_row(0, header or ["甲", "乙", "丙"])
    for r in range(1, rows + 1):
        ws.write_row(r, [f"{filler}{r}", r, "2027-01-01"])
    return book.getvalue()


def _writes() -> int:
    return ChangeEvent.objects.exclude(action__in=BOOKKEEPING).count()


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("名单.xlsx", data, content_type="application/octet-stream")


def _each_importer(hostile: dict[str, Any]) -> list[tuple[str, imports.Importer, str, dict[str, Any], dict[str, Any]]]:
    how = _how(hostile)
    missing = sorted(set(imports.IMPORTERS) - set(how))
    assert not missing, f"tell this test how to drive the importers {missing}"
    return [(key, imp, *how[key]) for key, imp in sorted(imports.IMPORTERS.items())]


@pytest.mark.parametrize("case", ["too_large", "too_many_rows"])
def test_every_importer_refuses_an_oversized_file_and_writes_nothing(
        client: Client, world: World, hostile: dict[str, Any], settings: Any, case: str) -> None:
    settings.ANZHI_IMPORT_MAX_ROWS = 5
    if case == "too_large":
        settings.ANZHI_IMPORT_MAX_BYTES = 4 * 1024
        data, expected = xlsx(400, filler="很长的一段填充文字" * 3), "超过导入文件"
    else:
        data, expected = xlsx(40), "超过每次导入 5 行的上限"
    assert len(data) > 4 * 1024 or case != "too_large"
    for key, importer, persona, params, fields in _each_importer(hostile):
        before = _writes()
        # the worker's entry point
        outcome = _run(importer, world.user(persona), data, params)
        assert not outcome.ok and expected in outcome.message + str(outcome.errors), (key, outcome)
        # the upload page
        client.force_login(world.users[persona])
        response = client.post(importer.upload_url(params), {"file": _upload(data), **fields})
        assert response.status_code == 200, (key, response.status_code)
        assert expected in response.content.decode(), key
        assert _writes() == before, key
    assert not ImportJob.objects.exists()


def _run(importer: imports.Importer, actor: Any, data: bytes, params: dict[str, Any]) -> imports.Outcome:
    from django.core.exceptions import ValidationError

    try:
        return importer.run(actor=actor, file=io.BytesIO(data), params=params, progress=lambda *a: None)
    except ValidationError as exc:
        return imports.Outcome.refused(exc.messages)


def test_every_importer_runs_a_large_file_in_the_background(client: Client, world: World, hostile: dict[str, Any],
                                                            settings: Any) -> None:
    """A file above the background threshold is queued and its page reports the result; a file
    nobody can import (no header here) is refused whole, row by row or as a file, and writes nothing."""
    settings.ANZHI_IMPORT_BACKGROUND_ROWS = 3
    for key, importer, persona, params, fields in _each_importer(hostile):
        before = _writes()
        client.force_login(world.users[persona])
        response = client.post(importer.upload_url(params), {"file": _upload(xlsx(10)), **fields})
        assert response.status_code == 302 and "/imports/" in response["Location"], (key, response.status_code)
        job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        assert job.kind == key and job.status == ImportStatus.FAILED, (key, job.status, job.message)
        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="import-errors"' in page and importer.upload_url(params) in page, key
        assert not job.file, "the uploaded file is not kept"
        assert _writes() == before, key
        client.force_login(world.users["township_b"])  # someone else's job is not found
        assert client.get(response["Location"]).status_code == 404
    # the job's own bookkeeping is in the change log: who uploaded what, and how it ended
    assert ChangeEvent.objects.filter(action="core.import_queue", object_type="core.importjob").count() == len(
        imports.IMPORTERS)


def test_a_large_ledger_file_is_imported_in_the_background_with_progress(
        client: Client, world: World, settings: Any) -> None:
    from ledgers import importer as ledger_importer
    from ledgers.specs import SPECS

    settings.ANZHI_IMPORT_BACKGROUND_ROWS = 2
    spec = SPECS["trainings"]
    cols = ledger_importer.columns(spec)
    book = Workbook()
    ws = book.sheet("s")
    ws.write_row(0, [c.header for c in cols])
    code = world.enterprises["ent_a1"].credit_code
    for i in range(1, 6):
        row = {"_credit_code": code, "title": f"背景导入培训{i}", "kind": "全员安全培训", "held_on": f"2026-0{i}-01"}
        ws.write_row(i, [row.get(c.key, "") for c in cols])
    client.force_login(world.users["office"])
    response = client.post("/ledgers/trainings/import/", {"file": _upload(book.getvalue())})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "导入完成" in page, page
    assert spec.model.objects.filter(title__startswith="背景导入培训").count() == 5
    job = ImportJob.objects.get()
    assert (job.status, job.total, job.processed, job.created) == (ImportStatus.DONE, 5, 5, 5)
    event = ChangeEvent.objects.filter(object_type="ledgers.training").latest("seq")
    assert event.source == "import" and event.actor_id == world.users["office"].pk


def test_the_row_ceiling_counts_data_rows_exactly(world: World, settings: Any) -> None:
    from django.core.exceptions import ValidationError

    from core.spreadsheet import Column

    settings.ANZHI_IMPORT_MAX_ROWS = 5
    cols = [Column("甲", "a"), Column("乙", "b")]
    rows, _missing = read_rows(io.BytesIO(xlsx(5, header=["甲", "乙"])), cols)
    assert len(rows) == 5
    with pytest.raises(ValidationError, match="表格有 6 行数据"):
        read_rows(io.BytesIO(xlsx(6, header=["甲", "乙"])), cols)


@pytest.mark.parametrize("make", [
    lambda: b"",
    lambda: b"not a spreadsheet at all",
    lambda: _zip_bomb(),
])
def test_broken_and_bombed_files_are_refused_before_parsing(make: Callable[[], bytes], settings: Any) -> None:
    from django.core.exceptions import ValidationError

    from core.spreadsheet import Column

    settings.ANZHI_IMPORT_MAX_BYTES = 100 * 1024
    with pytest.raises(ValidationError):
        read_rows(io.BytesIO(make()), [Column("甲", "a")])


def _zip_bomb() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 20_000_000 + b"</a>")
    return buf.getvalue()


def test_only_core_reads_spreadsheets() -> None:
    """One reader, so the limits cannot be bypassed: python_calamine is imported by core/spreadsheet.py
    alone (tests build and read their own files)."""
    from pathlib import Path

    from django.conf import settings as django_settings

    offenders = []
    for path in Path(django_settings.BASE_DIR).glob("*/**/*.py"):
        rel = path.relative_to(django_settings.BASE_DIR).as_posix()
        if rel.startswith((".venv/", "bench/", "tests/")) or "/tests/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if ("import python_calamine" in text or "from python_calamine" in text) and rel != "core/spreadsheet.py":
            offenders.append(rel)
    assert not offenders


def test_every_upload_page_states_the_limits(client: Client, world: World, hostile: dict[str, Any]) -> None:
    for key, importer, persona, params, _fields in _each_importer(hostile):
        client.force_login(world.users[persona])
        page = client.get(importer.upload_url(params)).content.decode()
        assert "每个文件不超过 10 MB、20000 行；超过 2000 行的文件在后台导入" in page, key
