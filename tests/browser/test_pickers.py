"""Journey (issue 14, item 4): searchable pickers. A township official registering a hazard finds the
enterprise by typing its pinyin initials (asked for from the scoped endpoint: another township's
enterprises never appear); a regulator chooses several departments for a joint draw by initials instead of
Ctrl-clicking through a list; a filter's empty choice says what it filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fixtures import pick

pytestmark = pytest.mark.browser


def selected(page: Page, name: str) -> list[str]:
    return page.locator(f"select[name={name}]").evaluate(
        "s => Array.from(s.selectedOptions).filter(o => o.value).map(o => o.textContent.trim())")


def test_enterprise_found_by_pinyin_initials_within_scope(new_page: Callable[..., Page]) -> None:
    town = new_page("dongshan", phone=True)
    town.goto("/hazards/new/")
    control = town.locator("select[name=enterprise] + .ts-wrapper")
    expect(control).to_be_visible()
    # 山枣镇's enterprises lie outside 东山街道: the endpoint never offers them.
    control.locator(".ts-control").click()
    control.locator("input").fill("szjc")
    expect(town.locator(".ts-dropdown .no-results")).to_have_text("没有匹配的选项")
    pick(town, "enterprise", "xxgt", "湘乡钢铁有限公司")
    assert selected(town, "enterprise") == ["湘乡钢铁有限公司"]
    expect(control.locator(".item")).to_have_text("湘乡钢铁有限公司")
    town.fill("textarea[name=description]", "高炉平台护栏缺失（拼音选择测试）")
    town.locator("[data-testid=hazard-register-form] button[type=submit]").click()
    expect(town.locator("body")).to_contain_text("高炉平台护栏缺失（拼音选择测试）")
    expect(town.locator("body")).to_contain_text("湘乡钢铁有限公司")
    assert town.evaluate("document.documentElement.scrollWidth") <= 390


def test_departments_chosen_by_initials_and_filters_say_what_they_filter(new_page: Callable[..., Page]) -> None:
    regulator = new_page("yingji")
    regulator.goto("/enforcement/draws/new/")
    wrapper = regulator.locator("select[name=joint] + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    wrapper.locator("input").fill("xfjy")  # 市消防救援大队: shi xiao fang jiu yuan da dui
    expect(regulator.locator(".ts-dropdown .option")).to_have_count(1)
    regulator.keyboard.press("Escape")
    pick(regulator, "joint", "xfjy", "市消防救援大队")
    pick(regulator, "joint", "jtys", "市交通运输局")
    assert sorted(selected(regulator, "joint")) == ["市交通运输局", "市消防救援大队"]
    expect(wrapper.locator(".item")).to_have_count(2)
    wrapper.locator(".item", has_text="市交通运输局").locator(".remove").click()
    assert selected(regulator, "joint") == ["市消防救援大队"]

    regulator.goto("/hazards/")
    expect(regulator.locator("select[name=status] option").first).to_have_text("全部状态")
    # the territory filter is a picker whose empty choice is its placeholder
    expect(regulator.locator("select[name=jurisdiction] + .ts-wrapper input")).to_have_attribute(
        "placeholder", "全部属地")
    assert "---------" not in regulator.locator("form").first.inner_text()
