"""Journey (issue 14, "Done when" 2): an enterprise grades a risk point and prints its card, then reports its list;
the regulator finds the report in its messages and signs for it. Nobody types a URL after logging in: the
enterprise goes by its menu, the regulator by the 待签收 message."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_risk_point_graded_printed_reported_and_signed_for(new_page: Callable[..., Page]) -> None:
    name = f"旅程测试行车吊装岗{int(time.time()) % 10**6}"
    firm = new_page("qiye")
    firm.goto("/")
    firm.locator("#mainnav").get_by_role("link", name="风险管控", exact=True).click()
    firm.get_by_test_id("add-point").click()
    firm.select_option("select[name=p-kind]", "post")
    firm.fill("input[name=p-name]", name)
    firm.fill("input[name=p-responsible]", "测试班长")
    firm.select_option("select[name=a-method]", "lec")
    firm.select_option("select[name=a-lec_l]", "3")
    firm.select_option("select[name=a-lec_e]", "6")
    firm.select_option("select[name=a-lec_c]", "15")
    firm.get_by_test_id("save-point").click()
    expect(firm.get_by_test_id("point-grade")).to_contain_text("较大风险")
    firm.fill("input[name=content]", "吊装前检查钢丝绳和吊钩")
    firm.fill("input[name=responsible]", "测试班长")
    firm.get_by_test_id("add-measure").click()
    expect(firm.locator("#measures ~ table")).to_contain_text("吊装前检查钢丝绳和吊钩")

    # The 告知卡 as a web page to print: the point, its grade and its measure, and no horizontal scroll.
    firm.get_by_test_id("card-print-notice").click()
    card = firm.get_by_test_id("risk-card")
    expect(card).to_contain_text(name)
    expect(card).to_contain_text("吊装前检查钢丝绳和吊钩")
    firm.go_back()

    # The list goes to the regulators.
    firm.get_by_role("link", name="风险清单").first.click()
    firm.get_by_test_id("submit-report").click()
    expect(firm.locator(".alert-success")).to_contain_text("已向监管部门报告风险清单")

    regulator = new_page("yingji")
    regulator.goto("/")
    regulator.locator("[data-testid=nav-inbox]").click()
    regulator.locator("[data-testid=inbox] .list-group-item", has_text="待签收风险清单：湘乡钢铁有限公司").first \
        .locator("a").first.click()
    expect(regulator.get_by_test_id("report-changes")).to_contain_text(name)
    regulator.get_by_test_id("acknowledge").click()
    expect(regulator.get_by_test_id("report-status")).to_have_text("已签收")
