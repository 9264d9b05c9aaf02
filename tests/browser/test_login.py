from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.fixtures import login


def test_login_sees_chinese_home_and_logs_out(new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("登录安治平台")
    login(page, "dongshan")
    expect(page.locator("h1")).to_contain_text("您好")
    expect(page.locator("[data-testid=nav-enterprises-list]")).to_have_text("企业")
    expect(page.locator("[data-testid=enterprise-total]")).to_have_text(re.compile(r"^\d+$"))
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert")).to_contain_text("您已安全退出")
    page.goto("/enterprises/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_repeated_failed_logins_lock_the_account(new_page: Callable[..., Page]) -> None:
    page = new_page()
    # Every failure gets the same answer, whether or not the account exists (no username enumeration).
    for _attempt in range(5):
        login(page, "jingkaiqu", "wrong-password")
        expect(page.locator(".alert-danger")).to_contain_text("连续登录失败 5 次，账号将锁定 30 分钟")
    # Even the right password is refused while the lock lasts.
    login(page, "jingkaiqu")
    expect(page.locator(".alert-danger")).to_contain_text("已锁定")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # The security administrator unlocks it (and the shared demo server is left as it was).
    admin = new_page("secadmin")
    admin.goto("/accounts/users/?q=jingkaiqu")
    admin.get_by_role("link", name="jingkaiqu").click()
    expect(admin.locator("body")).to_contain_text("锁定至")
    admin.get_by_role("button", name="解锁账号").click()
    expect(admin.locator(".alert-success")).to_contain_text("已解锁")
    login(page, "jingkaiqu")
    expect(page.locator("h1")).to_contain_text("您好")


def test_phone_layout_can_search_enterprises(new_page: Callable[..., Page]) -> None:
    page = new_page("anweiban", phone=True)
    page.goto("/enterprises/")
    page.fill("input[name=q]", "xxgt")
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_contain_text("湘乡钢铁有限公司")
    expect(page.locator("#results")).not_to_contain_text("望春门商业广场")
