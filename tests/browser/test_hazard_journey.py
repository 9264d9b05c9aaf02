"""Journey (issue 14, "Done when" 2): an enterprise reports a major hazard on a phone and it goes to 销号, and each
next actor finds the work through a message or their home page, never by a typed URL: the enterprise starts from
its home's 登记隐患 shortcut; the supervising regulator opens the 重大事故隐患报告 message, lists it for supervision;
the enterprise finds it in its messages once it is returned, the regulator each 待验收 in its own."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from hazards.tests.factories import MAJOR_PLAN, PLAN, png_bytes

pytestmark = pytest.mark.browser


def _inbox(page: Page, *texts: str) -> None:
    """From the current page: the 消息 menu (behind the menu button on a phone), then the newest message whose
    entry shows every one of ``texts``; open it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("[data-testid=nav-inbox]").click()
    entry = page.locator("[data-testid=inbox] .list-group-item")
    for text in texts:
        entry = entry.filter(has_text=text)
    entry.first.locator("a").first.click()
    page.wait_for_load_state()


def _move(page: Page, action: str, **fields: str) -> None:
    box = page.get_by_test_id(f"move-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        box.locator(f"[name={name}]").fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _status(page: Page) -> str:
    return page.get_by_test_id("hazard-status").first.inner_text()


def test_a_major_hazard_from_a_phone_to_closure_found_through_messages(new_page: Callable[..., Page]) -> None:
    description = f"旅程测试{int(time.time()) % 10**6}：高炉煤气管道阀门泄漏报警失效"

    # The enterprise, on a phone, from its home: 登记隐患.
    phone = new_page("qiye", phone=True)
    phone.goto("/")
    phone.get_by_test_id("shortcut-hazard-create").click()
    phone.set_input_files("input[name=photos]", {"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()})
    phone.fill("#id_description", description)
    phone.select_option("#id_grade", "major")
    phone.fill("#id_report_cause", "报警器超期未检定")
    phone.fill("#id_report_analysis", "泄漏无法及时发现，可致中毒；需停气检修")
    phone.get_by_role("button", name="登记").click()
    phone.wait_for_load_state()
    number = re.search(r"隐患\s+(\S+)", phone.locator("h1").inner_text()).group(1)
    assert "已定级" in _status(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_test_id("plan-edit").click()
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for name, value in {**PLAN, **MAJOR_PLAN, "deadline": deadline}.items():
        phone.fill(f"#id_{name}", str(value))
    phone.get_by_role("button", name="保存方案").click()
    phone.wait_for_load_state()
    _move(phone, "plan")
    assert "已制定方案" in _status(phone)

    # The supervising regulator: the 重大事故隐患报告 in its messages; it lists the hazard for supervision.
    regulator = new_page("yingji")
    regulator.goto("/")
    _inbox(regulator, "重大事故隐患报告", description)
    expect(regulator.locator("h1")).to_contain_text(number)
    regulator.get_by_test_id("supervise").click()
    regulator.fill("#id_document_number", f"湘应急督〔2026〕{int(time.time()) % 1000}号")
    regulator.get_by_role("button", name="挂牌督办").click()
    regulator.wait_for_load_state()
    expect(regulator.get_by_test_id("supervision")).to_contain_text("交办制")

    # The enterprise rectifies (from its hazard list, reached by the menu) and applies for acceptance.
    phone.goto("/")
    toggler = phone.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    phone.locator("#mainnav").get_by_role("link", name="隐患", exact=True).click()
    phone.get_by_role("link", name=number).first.click()
    _move(phone, "start")
    _move(phone, "apply", result="已更换报警器")
    assert "申请验收" in _status(phone)

    # The regulator: 待验收 in its messages; it returns the hazard with a reason.
    regulator.goto("/")
    _inbox(regulator, "待验收", number)
    _move(regulator, "return", note="未附检定证书")
    assert "整改中" in _status(regulator)

    # The enterprise: the return in its messages, with the reason; it applies again.
    phone.goto("/")
    _inbox(phone, number, "未附检定证书")
    expect(phone.locator("h1")).to_contain_text(number)
    _move(phone, "apply", result="已补充检定证书")

    # The regulator: the new 待验收 message; it accepts and closes (销号).
    regulator.goto("/")
    _inbox(regulator, "待验收", number)
    _move(regulator, "accept")
    _move(regulator, "close")
    assert "已销号" in _status(regulator)

    # The enterprise hears of the 销号 in its messages.
    phone.goto("/")
    _inbox(phone, "销号", number)
    assert "已销号" in _status(phone)
