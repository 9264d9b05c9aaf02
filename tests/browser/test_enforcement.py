"""Journey (issue 12): the emergency bureau imports its annual plan, puts two inspectors on its roster, commits a
双随机 draw from the plan row and draws it; the drawn inspector opens the inspection on a phone, records the
certificates shown and a hazard finding with its clause, forms the record, and downloads the 责令限期整改指令书
(.docx opened with python-docx); the bureau opens a penalty case from the inspection, decides it and publishes
it; the public page (no login) shows the decision, and the draw's commitment without the inspectors' names.
Not covered here: rectifying the hazard and the 复查 (hazards' own journeys walk the hazard; services tests the
复查 refusal while a hazard is open) and working offline."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from docx import Document
from playwright.sync_api import Page, expect

from enforcement import plans

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_plan_draw_inspect_order(new_page: Callable[..., Page]) -> None:
    year = dt.date.today().year
    office = new_page("yingji")
    office.goto("/enforcement/plans/import/")
    office.fill("input[name=year]", str(year))
    office.set_input_files("input[name=file]", files=[{"name": "年度计划.xlsx", "buffer": plans.template(),
                                                        "mimeType": XLSX}])
    office.locator("[data-testid=import-submit]").click()
    expect(office.locator(".alert-success")).to_contain_text("年度监督检查计划")

    for name, cert, account in (("刘执法", "湘应急执-0001", "zhifa"), ("张检查", "湘应急执-0002", None)):
        office.goto("/enforcement/inspectors/new/")
        office.fill("input[name=name]", name)
        office.fill("input[name=cert_number]", cert)
        office.fill("input[name=cert_valid_until]", f"{year + 2}-12-31")
        if account:
            office.select_option("select[name=user]", label="刘执法（zhifa）")
        office.locator("[data-testid=submit]").click()
        expect(office.locator("body")).to_contain_text(cert)

    office.goto("/enforcement/plans/")
    office.get_by_role("link", name=re.compile(f"{year}年度")).click()
    office.locator("[data-testid=draw-from-plan]").first.click()
    office.fill("input[name=strata]", "all=2")
    office.fill("input[name=operator_secret]", "operator-browser-secret")
    office.fill("input[name=witness_name]", "纪检组见证人")
    office.fill("input[name=witness_secret]", "witness-browser-secret")
    office.locator("[data-testid=commit]").click()
    expect(office.locator("[data-testid=draw-status]")).to_have_text("已公示承诺")
    commitment = office.locator("[data-testid=commitment]").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)
    office.fill("input[name=public_value]", "3391.27")
    office.fill("input[name=operator_secret]", "operator-browser-secret")
    office.fill("input[name=witness_secret]", "witness-browser-secret")
    office.locator("[data-testid=execute]").click()
    expect(office.locator("[data-testid=draw-status]")).to_have_text("已抽取")
    expect(office.locator("[data-testid=draw-result]")).to_contain_text("刘执法")
    draw_url = office.url

    phone = new_page("zhifa", phone=True)
    phone.goto(draw_url)
    phone.locator("[data-testid=inspection-link]").first.click()
    for box in phone.locator("input[name=shown]").all():
        box.check()
    phone.locator("[data-testid=start]").click()
    expect(phone.locator("[data-testid=inspection-status]")).to_have_text("现场检查中")
    expect(phone.locator("[data-testid=certificates]")).to_contain_text("湘应急执-0001")
    phone.fill("textarea[name=text]", "配电箱未可靠接地")
    phone.fill("input[name=basis]", "《工贸企业重大事故隐患判定标准》第四条")
    phone.select_option("select[name=result]", "hazard")
    phone.fill("input[name=deadline]", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    phone.locator("[data-testid=finding-add]").click()
    expect(phone.locator("[data-testid=finding-hazard]")).to_be_visible()
    phone.fill("input[name=signer]", "企业负责人王某")
    phone.fill("input[name=review_days]", "10")
    phone.locator("[data-testid=record]").click()
    expect(phone.locator("[data-testid=inspection-status]")).to_have_text("已记录待复查")
    with phone.expect_download() as download:
        phone.locator("[data-testid=doc-enforcement_order]").click()
    data = Path(download.value.path()).read_bytes()
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "责令限期整改指令书" in text and re.search(rf"湘乡应急责改〔{year}〕\d+号", text)
    assert "配电箱未可靠接地" in cells and "刘执法" in cells

    # The bureau opens a penalty case from the inspection, decides it and publishes the decision.
    office.goto(urlsplit(phone.url).path)
    office.fill("input[name=cause]", "未采取措施消除事故隐患（浏览器）")
    office.locator("[data-testid=case-open]").click()
    expect(office.locator("[data-testid=case-status]")).to_have_text("已立案")
    office.locator("[data-testid=case-investigate]").click()
    notify = office.locator("form", has=office.locator("[data-testid=case-notify]"))
    notify.locator("textarea[name=facts]").fill("检查发现配电箱未可靠接地，经责令仍未消除")
    notify.locator("textarea[name=basis]").fill("《中华人民共和国安全生产法》第一百零二条")
    notify.locator("input[name=penalty_types][value=fine]").check()
    notify.locator("input[name=fine_amount]").fill("20000")
    notify.locator("[data-testid=case-notify]").click()
    expect(office.locator("[data-testid=case-status]")).to_have_text("已告知")
    office.locator("[data-testid=case-decide]").click()
    expect(office.locator("[data-testid=case-status]")).to_have_text("已决定")
    expect(office.locator("[data-testid=penalty]")).to_contain_text("罚款20000.00元")
    office.locator("[data-testid=case-publish]").click()

    public = new_page()
    public.goto("/enforcement/public/")
    expect(public.locator("[data-testid=public-penalties]")).to_contain_text("未采取措施消除事故隐患（浏览器）")
    expect(public.locator("[data-testid=public-penalties]")).to_contain_text(f"湘乡应急罚决〔{year}〕")
    public.locator("[data-testid=public-draw]").first.click()
    expect(public.locator("body")).to_contain_text(commitment)
    expect(public.locator("body")).not_to_contain_text("刘执法")
