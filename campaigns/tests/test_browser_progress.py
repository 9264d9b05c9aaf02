"""Journey: a township reports progress with evidence, the office returns it, the township
resubmits, the office accepts, and the campaign overview counts the task as done.

The demo archives the 2020 seed (read-only history), so the office first sets up a live campaign with one task
for 东山街道, in the browser."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def done_count(page: Page, overview: str) -> int:
    page.goto(overview)
    return int(page.locator("[data-testid=done-tasks]").inner_text())


def report(page: Page, task_url: str, narrative: str) -> None:
    page.goto(task_url)
    page.select_option("select[name=reported_status]", "done")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=narrative]", narrative)
    page.set_input_files("input[name=files]", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("[data-testid=submit-report]").click()
    expect(page.locator(".alert").first).to_contain_text("进展已报送")


def live_task(office: Page, title: str) -> None:
    """The office creates and starts a campaign with one task led by 东山街道."""
    office.goto("/campaigns/")
    office.get_by_role("link", name="新建行动").click()
    office.fill("#id_name", f"进展报送演练{title}")
    office.fill("#id_starts_on", "2026-01-01")
    office.fill("#id_ends_on", "2028-12-31")
    office.get_by_role("button", name="保存").click()
    office.get_by_role("link", name="新增方案").click()
    office.select_option("#id_kind", "master")
    office.fill("#id_code", "master")
    office.fill("#id_title", "总方案")
    office.fill("#id_short_name", "总方案")
    office.get_by_role("button", name="保存").click()
    office.get_by_role("link", name="新增任务").click()
    office.fill("#id_title", title)
    office.select_option("#id_lead_units", label="东山街道")
    office.fill("#id_deadline_text", "2028年6月底")
    office.get_by_role("button", name="保存").click()
    expect(office.locator("h1")).to_contain_text(title)
    office.locator("nav a", has_text="总览").first.click()
    office.locator("[data-testid=stage-start]").click()
    expect(office.locator("[data-testid=campaign-stage]")).to_have_text("实施")


def test_township_reports_office_returns_then_accepts(new_page: Callable[..., Page]) -> None:
    title = f"消防通道划线{int(time.time()) % 10**6}"
    live_task(new_page("anweiban"), title)
    township = new_page("dongshan")
    township.goto("/campaigns/mine/")
    first = township.locator("table a[href^='/campaigns/tasks/']", has_text=title).first
    expect(first).to_be_visible()
    first.click()
    task_url = re.sub(r"^https?://[^/]+", "", township.url)
    overview = township.locator("nav a", has_text="总览").first.get_attribute("href")

    office = new_page("anweiban")
    before = done_count(office, overview)

    report(township, task_url, "已完成消防通道划线，附现场照片。")
    expect(township.locator("[data-testid=report-state]").first).to_have_text("已报送")
    expect(township.locator("a", has_text="现场照片").first).to_be_visible()

    office.goto(task_url)
    office.fill("textarea[name=comment]", "请补充整改前后对比照片")
    office.locator("[data-testid=return]").first.click()
    expect(office.locator("[data-testid=report-state]").first).to_have_text("已退回")

    township.goto(task_url)
    expect(township.locator("#report-form")).to_contain_text("请补充整改前后对比照片")
    report(township, task_url, "已补充整改前后对比照片。")
    expect(township.locator("[data-testid=report-state]").first).to_have_text("已报送")

    office.goto(task_url)
    office.locator("[data-testid=accept]").first.click()
    expect(office.locator("[data-testid=report-state]").first).to_have_text("已采纳")
    expect(office.locator("body")).to_contain_text("退回 · ")
    assert done_count(office, overview) == before + 1

    township.goto(task_url)
    expect(township.locator("#report-form")).to_have_count(0)  # done: nothing more to report
