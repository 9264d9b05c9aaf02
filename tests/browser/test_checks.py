"""Journeys of 隐患排查 on a phone: an enterprise worker does a shift check with one failure and a photo, and the
hazard exists, linked to the run; a grid member checks a 下店上宅 shop against the seed plan's standard."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from hazards.tests.factories import png_bytes

PHOTO = {"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()}


def test_a_worker_does_a_shift_check_with_one_failure_and_the_hazard_is_linked(new_page: Callable[..., Page]) -> None:
    page = new_page("qiye", phone=True)
    page.goto("/")
    card = page.get_by_test_id("card-checks")
    expect(card).to_contain_text("今日排查")
    card.get_by_test_id("todo-item").filter(has_text="一班三检（演示）").first.click()
    expect(page.get_by_test_id("run-form")).to_be_visible()
    item = page.get_by_test_id("run-item").filter(has_text="设备安全防护装置齐全完好")
    item.get_by_test_id("outcome-fail").click()
    item.locator("input[name^=note_]").fill("冲床防护罩缺失")
    item.get_by_test_id("photo").set_input_files(files=[PHOTO])
    page.get_by_test_id("run-submit").click()
    expect(page).to_have_url(re.compile(r"/checks/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("已提交")
    expect(page.get_by_test_id("run-counts")).to_contain_text("登记隐患 1")
    run_url = page.url
    page.get_by_test_id("hazard-link").click()
    expect(page).to_have_url(re.compile(r"/hazards/\d+/$"))
    body = page.locator("body")
    expect(body).to_contain_text("设备安全防护装置齐全完好")
    expect(body).to_contain_text("冲床防护罩缺失")
    expect(body).to_contain_text("企业自查")
    page.get_by_test_id("check-run-link").click()
    expect(page).to_have_url(run_url)
    expect(page.locator("img.attachment-thumb")).to_have_count(1)


def test_a_grid_member_checks_a_shop_against_the_seed_standard(new_page: Callable[..., Page]) -> None:
    page = new_page("wangge", phone=True)
    page.goto("/checks/lists/?q=下店上宅")
    page.get_by_test_id("checklist-link").filter(has_text="下店上宅").first.click()
    expect(page.get_by_test_id("item")).to_have_count(5)
    page.get_by_test_id("check-premises").click()
    page.get_by_test_id("premises-row").filter(has_text="东山社区示例便利店").get_by_test_id("premises-check").click()
    form = page.get_by_test_id("run-form")
    expect(form).to_be_visible()
    alarms = page.get_by_test_id("run-item").filter(has_text="烟雾报警器")
    alarms.get_by_test_id("value").fill("2")
    extinguishers = page.get_by_test_id("run-item").filter(has_text="灭火器")
    extinguishers.get_by_test_id("value").fill("1")  # fewer than the 2 the standard asks: fails by its limit
    extinguishers.get_by_test_id("photo").set_input_files(files=[PHOTO])
    page.get_by_test_id("run-submit").click()
    expect(page).to_have_url(re.compile(r"/checks/runs/\d+/$"))
    expect(page.get_by_test_id("run-counts")).to_contain_text("不合格 1 项")
    expect(page.locator("body")).to_contain_text("政府检查")
    page.get_by_test_id("hazard-link").click()
    body = page.locator("body")
    expect(body).to_contain_text("每个门店配备至少2个灭火器")
    expect(body).to_contain_text("东山社区示例便利店")
    expect(body).to_contain_text("政府检查")


def test_a_run_survives_going_offline_and_is_submitted_when_the_connection_returns(
        new_page: Callable[..., Page]) -> None:
    page = new_page("qiye", phone=True)
    page.goto("/checks/")
    page.get_by_test_id("todo-item").filter(has_text="一班三检（演示）").first.click()
    form = page.get_by_test_id("run-form")
    expect(form).to_be_visible()
    # The form is kept on the phone. (A locator, not wait_for_function: that polls with eval, which the CSP refuses.)
    expect(page.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=30_000)
    context = page.context
    context.set_offline(True)  # the signal drops in the middle of the check
    item = page.get_by_test_id("run-item").filter(has_text="作业场所安全通道畅通")
    item.get_by_test_id("outcome-fail").click()
    item.locator("input[name^=note_]").fill("通道堆放原料（离线记录）")
    item.get_by_test_id("photo").set_input_files(files=[PHOTO])
    page.get_by_test_id("run-submit").click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("已保存在本机")
    # Still offline: reloading the form (served by the service worker) keeps the run queued on the device.
    page.reload()
    expect(page.get_by_test_id("run-form")).to_be_visible()
    context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text("已提交", timeout=30_000)
    page.get_by_test_id("offline-link").click()
    expect(page).to_have_url(re.compile(r"/checks/runs/\d+/$"))
    expect(page.get_by_test_id("run-counts")).to_contain_text("登记隐患 1")
    page.get_by_test_id("hazard-link").click()
    expect(page.locator("body")).to_contain_text("通道堆放原料（离线记录）")
