"""Journey: the office assigns a 督办事项, the township finds it in its messages, reports it done,
the office returns it once and then closes it; the 督办台 and inbox update."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_supervision_item_round_trip(new_page: Callable[..., Page]) -> None:
    office = new_page("anweiban")
    office.goto("/escalation/")
    expect(office.locator("h1")).to_contain_text("督办台")
    expect(office.locator("[data-testid=due-summary]")).to_contain_text("督办事项")
    office.get_by_role("link", name="交办督办事项").first.click()
    office.fill("input[name=title]", "排查东山街道沿街门店燃气使用")
    office.select_option("select[name=assignee]", label="东山街道")
    office.fill("input[name=deadline]", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    office.fill("textarea[name=description]", "逐户检查并建立台账")
    office.get_by_role("button", name="交办").click()
    expect(office.locator("h1")).to_contain_text("排查东山街道沿街门店燃气使用")
    item_url = office.url

    township = new_page("dongshan", phone=True)
    township.goto("/notifications/")
    expect(township.locator("[data-testid=unread-count]")).to_be_visible()
    township.get_by_role("link", name=re.compile("新的督办事项：排查东山街道沿街门店燃气使用")).click()
    expect(township).to_have_url(item_url)
    township.fill("textarea[name=note]", "已检查 36 户，整改 3 处")
    township.get_by_role("button", name="报告办结").click()
    expect(township.locator(".alert-success")).to_contain_text("已报告办结")

    office.reload()
    office.fill("#review-note", "缺少整改照片")
    office.get_by_role("button", name="退回").click()
    expect(office.locator(".alert-success")).to_contain_text("已退回")

    township.reload()
    expect(township.locator("body")).to_contain_text("缺少整改照片")
    township.fill("textarea[name=note]", "已补充整改照片")
    township.get_by_role("button", name="报告办结").click()

    office.reload()
    office.get_by_role("button", name="销号").click()
    expect(office.locator("h1 .badge")).to_have_text("已销号")

    # Another township never sees it.
    other = new_page("shanzao")
    response = other.goto(item_url)
    assert response is not None and response.status == 404
