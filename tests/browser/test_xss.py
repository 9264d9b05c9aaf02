"""Journey: names carrying script are shown as text on every map and script-built widget, to every role.

Issue 9 item 1: Leaflet tooltips and popups rendered risk point and enterprise names as HTML, so a name
like ``"><img src=x onerror=alert(1)>`` ran script in the regulator's browser. Here the payload goes into
every name the scripts show — the township (jurisdiction) name, the enterprise name and the risk point
name — each created through the interface that creates it, and each page that shows them is opened as
the roles that see it. No dialog may open, no payload element may appear in the page, the names must
read literally, and (the fixture) no script may be blocked by the Content-Security-Policy: both the
escaping and the policy are checked, each on its own."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from enterprises.credit_code import make_credit_code
from risk.tests.test_services import tiny_png

pytestmark = pytest.mark.browser

PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def _watch(page: Page, dialogs: list[str]) -> Page:
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    return page


def _assert_inert(page: Page) -> None:
    """The payload is text: it made no element of its own."""
    assert page.locator('img[src="x"]').count() == 0, page.url
    # (json_script's data block holds the name as JSON: data, never run.)
    assert page.evaluate("Array.from(document.scripts).filter(s => s.type !== 'application/json'"
                         " && s.textContent.includes('alert(1)')).length") == 0


def test_names_with_script_show_as_text_on_maps_and_pages(new_page: Callable[..., Page], tmp_path: Path) -> None:
    token = f"{random.randrange(16**6):06x}"
    township = f"XSS村{token}{PAYLOAD}"
    company = f"XSS企业{token}{PAYLOAD}"
    point = f"XSS风险点{token}{PAYLOAD}"
    dialogs: list[str] = []

    # The system administrator adds a village under 山枣镇 (Django admin, through the org services).
    admin = _watch(new_page("sysadmin"), dialogs)
    admin.goto("/sysadmin/orgs/jurisdiction/add/")
    admin.fill("input[name=name]", township)
    admin.fill("input[name=code]", f"XSS{token}")
    admin.select_option("select[name=level]", "village")
    admin.select_option("select[name=parent]", label="山枣镇")
    admin.click("input[name=_save]")
    expect(admin.locator(".messagelist .success")).to_contain_text(township)
    _assert_inert(admin)

    # The township registers an enterprise in it, with coordinates so that it is on the map.
    town = _watch(new_page("shanzao"), dialogs)
    town.goto("/enterprises/new/")
    town.fill("input[name=name]", company)
    town.fill("input[name=credit_code]", make_credit_code(f"91430381{random.randrange(10**9):09d}"))
    town.select_option("select[name=jurisdiction]", label=township)
    town.get_by_label("工贸行业", exact=True).check()
    town.fill("input[name=longitude]", "112.410000")
    town.fill("input[name=latitude]", "27.690000")
    town.get_by_role("button", name="保存").click()
    expect(town.locator("h1")).to_contain_text(company)
    enterprise_url = town.url
    _assert_inert(town)

    # The enterprise 山枣建材 adds a risk point and places it on its site plan.
    firm = _watch(new_page("qiye2"), dialogs)
    firm.goto("/risk/")
    firm.get_by_test_id("add-point").click()
    firm.select_option("select[name=p-kind]", "post")
    firm.fill("input[name=p-name]", point)
    firm.fill("input[name=p-responsible]", "测试班长")
    firm.select_option("select[name=a-method]", "lec")
    firm.select_option("select[name=a-lec_l]", "3")
    firm.select_option("select[name=a-lec_e]", "6")
    firm.select_option("select[name=a-lec_c]", "15")
    firm.get_by_test_id("save-point").click()
    expect(firm.locator("h1")).to_contain_text(point)
    firm.get_by_role("link", name=re.compile("风险清单")).first.click()
    firm.get_by_role("link", name="安全风险分布图").click()
    plan_url = firm.url
    if firm.locator("[data-testid=site-plan]").count() == 0:
        image = tmp_path / "plan.png"
        image.write_bytes(tiny_png(400, 300))
        firm.get_by_test_id("plan-file").set_input_files(str(image))
        firm.get_by_test_id("upload-plan").click()
    expect(firm.locator(".leaflet-image-layer")).to_be_visible()
    value = firm.locator("[data-testid=place-point] option", has_text=token).get_attribute("value")
    firm.get_by_test_id("place-point").select_option(value)
    firm.get_by_test_id("site-plan").click()
    expect(firm.get_by_test_id("place-status")).to_have_text(f"已标注：{point}")
    _assert_inert(firm)

    # Everyone who sees 山枣建材's site plan reads the point's name, literally, in its tooltip.
    for username in ("qiye2", "shanzao", "anweiban", "yingji"):
        page = firm if username == "qiye2" else _watch(new_page(username), dialogs)
        page.goto(plan_url)
        expect(page.locator(".leaflet-tooltip", has_text=token)).to_have_text(point)
        _assert_inert(page)

    # Everyone who sees the enterprise finds it on the regulator map: tooltip and popup are text.
    for username in ("anweiban", "shanzao", "yingji"):
        page = town if username == "shanzao" else _watch(new_page(username), dialogs)
        page.goto("/risk/map/")
        expect(page.get_by_test_id("map-status")).to_contain_text("地图上")
        page.select_option("#map-filter select[name=jurisdiction]", label=township)
        expect(page.get_by_test_id("map-status")).to_contain_text("地图上 1 家")
        marker = page.locator("#riskmap path.leaflet-interactive:not(.map-boundary)")  # not a township's outline
        expect(marker).to_have_count(1)
        marker.hover()
        expect(page.locator(".leaflet-tooltip")).to_have_text(company)
        marker.click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup.get_by_role("link")).to_have_text(company)
        expect(popup).to_contain_text(f"{township} · ")
        _assert_inert(page)

        # The server-built pages that show the same names.
        for url in (enterprise_url, "/enterprises/?q=XSS", plan_url.replace("/plan/", "/")):
            page.goto(url)
            expect(page.locator("body")).to_contain_text(token)
            _assert_inert(page)

    assert dialogs == []
