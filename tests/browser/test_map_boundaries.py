"""Journey (issue 14 item 7): the regulators' four-colour map draws the township boundaries offline — the shipped
stand-in, then the office's own file once uploaded — each role only its own territory, names as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

OUTLINES = "#riskmap path.map-boundary"


def _outlines(page: Page) -> int:
    page.goto("/risk/map/")
    expect(page.get_by_test_id("map-status")).to_contain_text("地图上")
    return page.locator(OUTLINES).count()


def test_the_map_draws_boundaries_and_the_office_replaces_them(new_page: Callable[..., Page], tmp_path: Path) -> None:
    office = new_page("anweiban")
    assert _outlines(office) == 12  # ten townships and two parks, synthetic, no tile server
    office.locator(OUTLINES).first.hover()
    expect(office.locator(".leaflet-tooltip")).to_have_count(1)

    town = new_page("dongshan", phone=True)
    assert _outlines(town) == 1  # 东山街道 draws its own outline only
    assert town.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The office uploads its own outline of 东山街道 (an open ring, as GIS tools often write it).
    ring = [[112.53, 27.73], [112.55, 27.73], [112.55, 27.75], [112.53, 27.75]]
    upload = tmp_path / "东山街道.geojson"
    upload.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "东山街道"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]},
        ensure_ascii=False), encoding="utf-8")
    office.goto("/orgs/")
    office.get_by_test_id("boundaries-link").click()
    office.set_input_files("input[name=file]", str(upload))
    office.get_by_role("button", name="上传并保存").click()
    expect(office.locator(".alert-success")).to_contain_text("已保存 1 个辖区边界")
    row = office.get_by_test_id("boundary-list").locator("tr", has_text="东山街道")
    expect(row).to_contain_text("东山街道.geojson")
    expect(row).not_to_contain_text("示意")

    # A file with a projected coordinate is refused whole, saying which feature and why.
    upload.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "山枣镇"},
         "geometry": {"type": "Polygon", "coordinates": [[[12520000, 3210000], [12530000, 3210000], [12530000, 3220000]]]}}]},
        ensure_ascii=False), encoding="utf-8")
    office.set_input_files("input[name=file]", str(upload))
    office.get_by_role("button", name="上传并保存").click()
    expect(office.get_by_test_id("boundary-problems")).to_contain_text("第 1 个边界（山枣镇）")
    assert _outlines(town) == 1
