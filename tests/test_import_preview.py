"""The mapping preview, through the pages: an upload with a column no importer column takes is shown first —
which column feeds which field, which are not kept, the first rows as they will be read — the uploader adjusts
a column's field, confirms (or cancels), and the choices are saved for the next file of the same context."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core import imports
from core.imports.services import prune_previews
from core.models import ChangeEvent, ImportJob, ImportMapping, ImportStatus
from core.xlsx import Workbook
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from tests.personas import World
from tests.test_imports import _how

EXTRA = "甲乙附注"


def _upload(headers: list[str], rows: list[list[Any]], name: str = "名单.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    ws = book.sheet("名单")
    ws.write_row(0, headers)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, row)
    return SimpleUploadedFile(name, book.getvalue(), content_type="application/octet-stream")


def _job(response: Any) -> ImportJob:
    assert response.status_code == 302 and "/imports/" in response["Location"], getattr(response, "content", b"")[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_every_importer_previews_a_file_with_a_column_it_does_not_take(
        client: Client, world: World, hostile: dict[str, Any]) -> None:
    for key, (persona, params, fields) in _how(hostile).items():
        importer = imports.IMPORTERS[key]
        headers = [c.header for c in importer.columns(params)] + [EXTRA]
        client.force_login(world.users[persona])
        before = ChangeEvent.objects.exclude(action__in=("core.import_upload", "core.import_cancel")).count()
        response = client.post(importer.upload_url(params), {"file": _upload(headers, [["x"] * len(headers)]), **fields})
        job = _job(response)
        assert (job.kind, job.status) == (key, ImportStatus.PREVIEW), key
        assert importer.upload_url(job.params) == importer.upload_url(params), key
        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="import-not-kept"' in page and EXTRA in page, key
        assert 'data-testid="import-preview-rows"' in page, key
        client.force_login(world.users["township_b" if persona != "township_b" else "office"])
        assert client.get(response["Location"]).status_code == 404, key
        assert client.post(response["Location"], {"action": "confirm"}).status_code == 404, key
        client.force_login(world.users[persona])
        cancelled = client.post(response["Location"], {"action": "cancel"})
        assert cancelled.status_code == 302 and cancelled["Location"] == importer.upload_url(params), key
        job.refresh_from_db()
        assert job.status == ImportStatus.CANCELLED and not job.file, key
        assert ChangeEvent.objects.exclude(action__in=("core.import_upload", "core.import_cancel")).count() == before, key


def _enterprise_rows(n: int, start: int = 0) -> list[list[Any]]:
    return [[f"预览测试企业{i}", make_credit_code(f"91430381PW{i:07d}"), "东山街道", "工贸", f"预览路{i}号", f"简称{i}"]
            for i in range(start, start + n)]


HEADERS = ["企业名称", "统一社会信用代码", "所属乡镇（街道、园区）", "行业领域", "企业地址", "单位简称"]


def test_the_uploader_adjusts_a_column_confirms_and_the_choice_is_kept_for_the_next_file(
        client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    response = client.post("/enterprises/import/", {"file": _upload(HEADERS, _enterprise_rows(3))})
    job = _job(response)
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "企业地址" in page and "单位简称" in page and "预览测试企业0" in page and "预览路0号" in page
    # htmx: choosing a field for 企业地址 refreshes the preview partial
    partial = client.post(url, {"sheet": "0", "col-0-4": "address", "col-0-5": "", "action": "refresh"},
                          headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<form") and '<option value="address" selected>' in partial
    assert "<th>详细地址</th>" in partial
    # a required column may not be left out, nor two columns feed one field
    for choice, problem in (({"col-0-0": ""}, "缺少必需的列：企业名称"), ({"col-0-5": "name"}, "对应了 A 列和 F 列")):
        blocked = client.post(url, {"sheet": "0", "col-0-4": "address", **choice, "action": "confirm"})
        assert blocked.status_code == 200 and problem in blocked.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    done = client.post(url, {"sheet": "0", "col-0-4": "address", "col-0-5": "", "remember": "1", "action": "confirm"})
    assert done.status_code == 302 and done["Location"] == "/enterprises/"
    assert Enterprise.objects.get(name="预览测试企业1").address == "预览路1号"
    job.refresh_from_db()
    assert (job.status, job.created, job.file.name) == (ImportStatus.DONE, 3, "")
    saved = ImportMapping.objects.get(kind="enterprises")
    assert saved.context == f"unit:{world.users['office'].unit_id}"
    assert saved.choices["企业地址"] == "address" and saved.choices["单位简称"] == ""
    actions = list(ChangeEvent.objects.filter(object_type="core.importjob", object_id=str(job.pk))
                   .values_list("action", flat=True).order_by("seq"))
    assert actions == ["core.import_upload", "core.import_confirm", "core.import_finish"]
    assert ChangeEvent.objects.filter(object_type="core.importmapping", action="core.create").exists()
    # the next file with the same headers from the same unit goes straight in, and says what it left out
    again = client.post("/enterprises/import/", {"file": _upload(HEADERS, _enterprise_rows(2, start=10))},
                        follow=True)
    assert again.redirect_chain[-1][0] == "/enterprises/"
    text = again.content.decode()
    assert "新增 2 家" in text and "F 列“单位简称”未导入" in text
    assert Enterprise.objects.get(name="预览测试企业11").address == "预览路11号"
    # another unit has its own choices: its upload is previewed
    client.force_login(world.users["township_a"])
    assert _job(client.post("/enterprises/import/", {"file": _upload(HEADERS, _enterprise_rows(1, 20))})).status \
        == ImportStatus.PREVIEW


def test_a_failed_import_after_the_preview_shows_its_report_on_the_job_page(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    rows = _enterprise_rows(2, start=30)
    rows[1][2] = "火星镇"
    url = client.post("/enterprises/import/", {"file": _upload(HEADERS, rows)})["Location"]
    response = client.post(url, {"sheet": "0", "col-0-4": "address", "col-0-5": "", "action": "confirm"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert 'data-testid="import-errors"' in page and "第 3 行" in page and "火星镇" in page
    assert not Enterprise.objects.filter(name__startswith="预览测试企业3").exists()


def test_a_large_file_is_previewed_then_imported_in_the_background(client: Client, world: World, settings: Any) -> None:
    settings.ANZHI_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(world.users["office"])
    url = client.post("/enterprises/import/", {"file": _upload(HEADERS, _enterprise_rows(4, start=40))})["Location"]
    response = client.post(url, {"sheet": "0", "col-0-4": "address", "col-0-5": "", "action": "confirm"})
    assert response.status_code == 302 and response["Location"] == url  # the progress page
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "新增 4 家" in page
    assert Enterprise.objects.filter(name__startswith="预览测试企业4").count() == 4


def test_the_preview_shows_hostile_text_as_text(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    script = "<script>alert(1)</script>"
    rows = [[f"{script}企业", make_credit_code("91430381PW9999999"), "东山街道", "工贸", "=1+1", script]]
    url = client.post("/enterprises/import/", {"file": _upload(HEADERS[:5] + [script], rows)})["Location"]
    page = client.get(url).content.decode()
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_several_sheets_are_chosen_in_the_preview(client: Client, world: World) -> None:
    book = Workbook()
    for name, rows in (("东山街道", _enterprise_rows(1, start=50)), ("山枣镇", _enterprise_rows(1, start=51))):
        ws = book.sheet(name)
        ws.write_row(0, HEADERS[:4])
        ws.write_row(1, rows[0][:4])
    client.force_login(world.users["office"])
    url = client.post("/enterprises/import/", {"file": SimpleUploadedFile("两表.xlsx", book.getvalue())})["Location"]
    page = client.get(url).content.decode()
    assert 'data-testid="import-sheets"' in page and "山枣镇" in page
    client.post(url, {"sheet": "1", "action": "confirm"})
    assert list(Enterprise.objects.filter(name__startswith="预览测试企业5").values_list("name", flat=True)) == [
        "预览测试企业51"]


def test_previews_nobody_confirmed_are_dropped_after_a_day(client: Client, world: World,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(world.users["office"])
    job = _job(client.post("/enterprises/import/", {"file": _upload(HEADERS, _enterprise_rows(1, start=60))}))
    storage = ImportJob._meta.get_field("file").storage
    name = job.file.name
    assert storage.exists(name)
    assert prune_previews() == 0
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert prune_previews() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and not job.file and not storage.exists(name)
    assert client.get(f"/imports/{job.pk}/").status_code == 200


def test_the_api_shape_of_a_preview(world: World) -> None:
    """What another page (the campaign task tables of the next issue) builds on: Importer.plan(...).as_dict()."""
    importer = imports.IMPORTERS["enterprises"]
    upload = _upload(HEADERS, _enterprise_rows(2, start=70))
    data = importer.plan(io.BytesIO(upload.read()), actor=world.user("office"), params={}).as_dict()
    sheet = data["sheets"][0]
    assert data["needs_review"] and sheet["selected"] and sheet["header_rows"] == [1]
    assert [(c["letter"], c["field"], c["kept"]) for c in sheet["columns"]][4:] == [("E", "", False), ("F", "", False)]
    assert sheet["rows"][0]["cells"]["name"]["text"] == "预览测试企业70"
