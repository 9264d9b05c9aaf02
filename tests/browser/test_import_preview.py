"""Journey: the campaign office uploads an enterprise list with a column the template does not have; the mapping
preview lists it as not kept, the office maps it to 详细地址, confirms, and sees the result."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from core.xlsx import Workbook
from enterprises.credit_code import make_credit_code


def _list_with_an_unknown_column(stamp: int) -> bytes:
    book = Workbook()
    ws = book.sheet("名录")
    ws.merge(0, 0, 0, 4, "东山街道企业名录（2026年）")
    ws.write_row(1, ["企业名称", "统一社会信用代码", "所属乡镇（街道、园区）", "行业领域", "企业地址"])
    for i in range(2):
        ws.write_row(2 + i, [f"浏览器导入企业{stamp}-{i}", make_credit_code(f"91430381BJ{(stamp + i) % 10**7:07d}"),
                             "东山街道", "工贸", f"工业路{i + 1}号"])
    return book.getvalue()


def test_an_unknown_column_is_previewed_mapped_and_imported(new_page: Callable[..., Page]) -> None:
    stamp = int(time.time()) % 10**7
    page = new_page("anweiban")
    page.goto("/enterprises/import/")
    page.set_input_files("input[name=file]", files=[{
        "name": "东山名录.xlsx", "buffer": _list_with_an_unknown_column(stamp),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.locator("[data-testid=import-not-kept]")).to_contain_text("企业地址")
    expect(page.locator("[data-testid=import-preview-rows]")).to_contain_text(f"浏览器导入企业{stamp}-0")
    # Choosing 详细地址 for column E refreshes the preview in place (htmx): the address is now read.
    page.select_option("select[name=col-0-4]", "address")
    rows = page.locator("[data-testid=import-preview-rows]")
    expect(rows.locator("th", has_text="详细地址")).to_be_visible()
    expect(rows).to_contain_text("工业路1号")
    expect(page.locator("[data-testid=import-not-kept]")).to_have_count(0)
    page.locator("[data-testid=import-confirm]").click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    expect(page.locator(".alert-success")).to_contain_text("新增 2 家")
    page.fill("input[name=q]", f"浏览器导入企业{stamp}-1")
    page.keyboard.press("Enter")
    page.locator("#results").get_by_role("link", name=f"浏览器导入企业{stamp}-1").click()
    expect(page.locator("body")).to_contain_text("工业路2号")
