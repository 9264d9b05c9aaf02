"""Journey (issue 15, items 5–6): the campaign office registers an accident of an enterprise, reports a further
death within the 30-day window and sees the grade change from 一般 to 较大, opens the 责任倒查 page, then writes the
tasks for next month and generates the month's 事故警示通报 (.docx opened with python-docx)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from docx import Document
from playwright.sync_api import Page, expect

from tests.browser.fixtures import pick


def test_register_revise_lookback_bulletin(new_page: Callable[..., Page]) -> None:
    office = new_page("anweiban")
    office.goto("/accidents/")
    office.locator("[data-testid=accident-new]").click()
    when = dt.datetime.now() - dt.timedelta(days=1)
    office.fill("input[name=occurred_at]", when.strftime("%Y-%m-%dT%H:%M"))
    office.select_option("select[name=accident_type]", label="高处坠落")
    pick(office, "enterprise", "xxgt", "湘乡钢铁有限公司")  # a searchable picker now, not a list of every enterprise
    office.fill("input[name=deaths]", "2")
    office.fill("input[name=direct_loss]", "80")
    office.fill("textarea[name=summary]", "外墙脚手架作业人员未系安全带坠落。")
    office.locator("[data-testid=submit]").click()
    expect(office.locator("[data-testid=accident-grade]")).to_have_text("一般事故")
    expect(office.locator("[data-testid=grade-source]")).to_contain_text("国务院令第493号")

    office.fill("input[name=deaths]", "3")
    office.fill("input[name=note]", "一名重伤人员经抢救无效死亡")
    office.locator("[data-testid=revise-submit]").click()
    expect(office.locator("[data-testid=accident-grade]")).to_have_text("较大事故")
    expect(office.locator("[data-testid=revision-row]")).to_have_count(1)
    expect(office.locator("[data-testid=casualties]")).to_contain_text("死亡 3 人")

    office.locator("[data-testid=lookback-link]").click()
    expect(office.locator("h1")).to_contain_text("责任倒查")
    expect(office.locator("[data-testid=lookback-window]")).to_contain_text("事故发生前一年")
    expect(office.locator("[data-testid=lookback-hazards]")).to_be_visible()

    office.goto(f"/accidents/bulletin/?year={when.year}&month={when.month}")
    expect(office.locator("[data-testid=bulletin-total]")).to_contain_text("起")
    office.fill("textarea[name=tasks]", "开展建筑施工高处作业专项检查\n督促企业落实安全带使用")
    office.locator("[data-testid=bulletin-save]").click()
    expect(office.locator(".alert-success")).to_contain_text("下月工作任务")
    with office.expect_download() as download:
        office.locator("[data-testid=bulletin-docx]").click()
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "生产安全事故警示通报" in text and "开展建筑施工高处作业专项检查" in text
    assert "合计" in cells and f"{when.year}年{when.month}月" in cells
