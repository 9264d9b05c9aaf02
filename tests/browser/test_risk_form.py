"""Journey: an enterprise grades a risk point and sees the grade while it fills the form (issue 14 item 7:
live D value and colour), and the site plan's drawing tool speaks Chinese (Leaflet.draw's own words)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from risk.tests.test_services import tiny_png

pytestmark = pytest.mark.browser


def test_the_grade_shows_while_the_assessment_is_filled(new_page: Callable[..., Page], tmp_path: Path) -> None:
    firm = new_page("qiye2", phone=True)
    firm.goto("/risk/")
    firm.get_by_test_id("add-point").click()
    preview = firm.get_by_test_id("risk-preview")
    expect(preview).to_contain_text("选齐各项取值")
    firm.select_option("select[name=p-kind]", "post")
    firm.fill("input[name=p-name]", "破碎机岗位")
    firm.fill("input[name=p-responsible]", "测试班长")
    firm.select_option("select[name=a-method]", "lec")
    firm.select_option("select[name=a-lec_l]", "3")
    firm.select_option("select[name=a-lec_e]", "6")
    expect(preview).to_contain_text("选齐各项取值")
    firm.select_option("select[name=a-lec_c]", "40")
    expect(preview).to_have_text("D = 720 → 重大风险（红）")
    expect(preview).to_have_class(re.compile(r"\bgrade-red\b"))
    firm.select_option("select[name=a-lec_c]", "1")
    expect(preview).to_have_text("D = 18 → 低风险（蓝）")
    # at phone width the form is one column: nothing wider than the screen
    assert firm.evaluate("document.documentElement.scrollWidth") <= 390
    firm.get_by_label("中毒和窒息").check()  # a box of the multiple choice is reachable and labelled
    firm.get_by_test_id("save-point").click()
    expect(firm.locator("h1")).to_contain_text("破碎机岗位")
    # what the page said is what the service graded
    expect(firm.locator("body")).to_contain_text("低风险（蓝）")

    firm.get_by_role("link", name=re.compile("风险清单")).first.click()
    firm.get_by_role("link", name="安全风险分布图").click()
    if firm.locator("[data-testid=site-plan]").count() == 0:
        image = tmp_path / "plan.png"
        image.write_bytes(tiny_png(400, 300))
        firm.get_by_test_id("plan-file").set_input_files(str(image))
        firm.get_by_test_id("upload-plan").click()
    expect(firm.locator(".leaflet-image-layer")).to_be_visible()
    expect(firm.locator("a.leaflet-draw-draw-polygon")).to_have_attribute("title", "圈出风险区域（多边形）")
