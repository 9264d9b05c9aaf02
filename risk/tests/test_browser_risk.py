"""Journey: the enterprise adds an orange risk point, places it on its site plan, prints the 告知卡, reports
the list; the regulator sees the change and acknowledges."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from risk.documents import docx_text
from risk.tests.test_services import tiny_png

pytestmark = pytest.mark.browser


def test_enterprise_risk_point_plan_card_report_regulator_sees(new_page: Callable[..., Page],
                                                                tmp_path: Path) -> None:
    page = new_page("qiye")
    page.goto("/risk/")
    expect(page.locator("h1")).to_contain_text("湘乡钢铁有限公司")
    page.get_by_test_id("add-point").click()
    page.select_option("select[name=p-kind]", "post")
    page.fill("input[name=p-name]", "浏览器测试吊装岗")
    page.fill("input[name=p-responsible]", "测试班长")
    page.select_option("select[name=a-method]", "lec")
    page.select_option("select[name=a-lec_l]", "3")
    page.select_option("select[name=a-lec_e]", "6")
    page.select_option("select[name=a-lec_c]", "15")
    page.get_by_test_id("save-point").click()
    expect(page.get_by_test_id("point-grade")).to_contain_text("较大风险")
    point_url = page.url
    page.fill("input[name=content]", "吊装前检查钢丝绳和吊钩")
    page.fill("input[name=responsible]", "测试班长")
    page.get_by_test_id("add-measure").click()
    expect(page.locator("#measures ~ table")).to_contain_text("吊装前检查钢丝绳和吊钩")

    # the site plan: upload, then click on the plan to place the point
    page.get_by_role("link", name=re.compile("风险清单")).first.click()
    page.get_by_role("link", name="安全风险分布图").click()
    plan = tmp_path / "plan.png"
    plan.write_bytes(tiny_png(400, 300))
    page.get_by_test_id("plan-file").set_input_files(str(plan))
    page.get_by_test_id("upload-plan").click()
    expect(page.locator(".leaflet-image-layer")).to_be_visible()
    value = page.locator("[data-testid=place-point] option", has_text="浏览器测试吊装岗").get_attribute("value")
    page.get_by_test_id("place-point").select_option(value)
    page.get_by_test_id("site-plan").click()  # the centre of the map is on the plan
    expect(page.get_by_test_id("place-status")).to_contain_text("已标注：浏览器测试吊装岗")
    page.reload()
    expect(page.locator(".leaflet-tooltip", has_text="浏览器测试吊装岗")).to_be_visible()

    # print the 告知卡
    page.goto(point_url)
    with page.expect_download() as info:
        page.get_by_test_id("card-notice").click()
    card = tmp_path / "card.docx"
    info.value.save_as(card)
    text = docx_text(card.read_bytes())
    assert "浏览器测试吊装岗" in text and "吊装前检查钢丝绳和吊钩" in text

    # report the list
    page.get_by_role("link", name=re.compile("风险清单")).first.click()
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".alert-success")).to_contain_text("已向监管部门报告风险清单")

    regulator = new_page("yingji")
    regulator.goto("/risk/reports/")
    regulator.locator("tr", has_text="湘乡钢铁有限公司").get_by_test_id("report-link").first.click()
    expect(regulator.get_by_test_id("report-changes")).to_contain_text("浏览器测试吊装岗")
    regulator.get_by_test_id("acknowledge").click()
    expect(regulator.get_by_test_id("report-status")).to_have_text("已签收")
