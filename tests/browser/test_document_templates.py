"""Journey: the campaign office downloads the monthly report's Word template, puts its own letterhead and
document number in it (in Word — python-docx here), uploads it, checks the preview, activates it, and the
next report it downloads is made from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from docx import Document
from playwright.sync_api import Page, expect

from documents.preview import blocks

LETTERHEAD = "湘乡市安全生产委员会办公室"
NUMBER = "湘安办发〔{{ report.period }}〕1号"


def test_office_edits_the_report_template_and_the_next_report_uses_it(new_page: Callable[..., Page],
                                                                       tmp_path: Path) -> None:
    page = new_page("anweiban")
    page.on("dialog", lambda dialog: dialog.accept())  # the activate button asks first
    page.goto("/documents/")
    page.get_by_role("link", name="月度工作进展情况").click()
    expect(page.get_by_test_id("current-template")).to_contain_text("系统默认模板")
    expect(page.get_by_test_id("variables")).to_contain_text("{{ campaign.name }}")

    with page.expect_download() as info:
        page.get_by_test_id("download-template").click()
    original = tmp_path / "original.docx"
    info.value.save_as(original)
    doc = Document(str(original))
    first = doc.paragraphs[0]
    first.insert_paragraph_before(LETTERHEAD)
    first.insert_paragraph_before(NUMBER)
    edited = tmp_path / "红头模板.docx"
    doc.save(str(edited))

    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(str(edited))
    page.fill("input[name=note]", "加上红头和文号")
    page.get_by_test_id("upload-template").click()
    expect(page.locator(".alert-success")).to_contain_text("已上传第 1 版")
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text(LETTERHEAD)
    expect(preview).to_contain_text("湘安办发〔2024年3月〕1号")  # the sample data's period
    expect(page.get_by_test_id("version-state")).to_contain_text("待启用")
    page.get_by_test_id("activate").click()
    expect(page.locator(".alert-success")).to_contain_text("已启用第 1 版")
    expect(page.get_by_test_id("current-template")).to_contain_text("市安委办 第 1 版")

    page.goto("/campaigns/")
    page.locator("main h2 a, h2 a").first.click()
    page.get_by_role("link", name="进展报告").click()
    period = page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    report = tmp_path / "report.docx"
    info.value.save_as(report)
    texts = [b.text for b in blocks(report.read_bytes())]
    assert texts[0] == LETTERHEAD
    assert re.fullmatch(r"湘安办发〔\d{4}年\d{1,2}月〕1号", texts[1]), texts[1]
    assert texts[2] == period  # then the report as before, its title first
