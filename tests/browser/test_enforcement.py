"""Journey (issue 12, "Done when"): the emergency bureau imports its annual plan, puts two inspectors on its roster,
commits a 双随机 draw from the plan row (定向 to 工贸 enterprises of 东山街道) and draws it. The drawn inspector finds
the inspection from the menu on a phone (390 px, no horizontal scroll), shows the certificates, opens a checklist
of the library and loses the signal: the checklist results and a finding are kept on the phone and sent once when
the signal returns. He grades the hazard, forms the record and downloads the 责令限期整改指令书 (.docx opened with
python-docx: number and text). The enterprise finds the hazard from its home page, plans, rectifies and applies;
the inspector finds the 待验收 notice in his messages, accepts and closes the hazard, then closes the inspection
(复查) and downloads the 整改复查意见书. The bureau finds the inspection in its list, opens a penalty case, decides
and publishes it; the public page (no login) shows the decision, the inspection result and the draw's commitment
without the inspectors' names."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from docx import Document
from playwright.sync_api import Page, expect

from enforcement import plans

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGET = "湘乡钢铁有限公司"  # the demo enterprise of the account qiye: 工贸 (D12), 东山街道
FAILED_ITEM = "未对承包单位、承租单位的安全生产工作统一协调"
PASSED_ITEM = "特种作业人员未按照规定经专门的安全作业培训"
NA_ITEM = "金属冶炼企业主要负责人、安全生产管理人员未按照规定经考核合格"


def _png_width(data: bytes) -> int:
    return struct.unpack(">I", data[16:20])[0]


def assert_no_horizontal_scroll(page: Page) -> None:
    """A full-page screenshot is as wide as the document: no wider than the viewport's (no eval under the CSP)."""
    assert _png_width(page.screenshot(full_page=True)) <= _png_width(page.screenshot()), page.url


def _docx_text(path: str) -> tuple[str, str]:
    document = Document(io.BytesIO(Path(path).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    return text, cells


def menu(page: Page, name: str) -> None:
    """A main-menu link (on a phone, behind the menu button), followed to its page. A tap the phone lost (the menu
    still opening on a loaded box: once the page stayed where it was for 30 s) is tapped again, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    link = page.locator("#mainnav").get_by_role("link", name=name).first
    target = urlsplit(link.get_attribute("href") or "").path
    link.click()
    try:
        page.wait_for_url(lambda url: urlsplit(url).path == target, timeout=10_000)
    except PlaywrightTimeout:
        if toggler.is_visible() and not link.is_visible():
            toggler.click()
        link.click()
        page.wait_for_url(lambda url: urlsplit(url).path == target, timeout=30_000)


def _move(page: Page, action: str, *, select: dict[str, str] | None = None, **fields: str) -> None:
    """A hazard move on its page: open the move, fill its fields, confirm."""
    move = page.get_by_test_id(f"move-{action}")
    move.locator("summary").click()
    for name, value in (select or {}).items():
        move.locator(f"select[name={name}]").select_option(value)
    for name, value in fields.items():
        move.locator(f"[name={name}]").fill(value)
    move.locator("button[type=submit]").click()


def test_plan_draw_inspect_offline_order_rectify_review_penalty_public(new_page: Callable[..., Page]) -> None:
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

    # The draw: from the plan row, 定向 to the 工贸 enterprises of 东山街道.
    office.goto("/enforcement/plans/")
    office.get_by_role("link", name=re.compile(f"{year}年度")).click()
    office.locator("[data-testid=draw-from-plan]").first.click()
    office.select_option("select[name=stratify]", "all")
    office.fill("input[name=strata]", "all=1")
    office.select_option("select[name=domain]", label="工贸行业")
    office.select_option("select[name=township]", label="东山街道")
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
    expect(office.locator("[data-testid=draw-result]")).to_contain_text(TARGET)
    expect(office.locator("[data-testid=draw-result]")).to_contain_text("刘执法")

    # The drawn inspector, on a phone, finds the inspection from the menu.
    phone = new_page("zhifa", phone=True)
    phone.goto("/")
    menu(phone, "执法检查")
    phone.get_by_role("link", name="现场检查").first.click()
    phone.get_by_test_id("inspection-link").filter(has_text=TARGET).first.click()
    expect(phone.get_by_test_id("inspection-status")).to_have_text("待检查")
    for box in phone.locator("input[name=shown]").all():
        box.check()
    phone.locator("[data-testid=start]").click()
    expect(phone.get_by_test_id("inspection-status")).to_have_text("现场检查中")
    expect(phone.get_by_test_id("certificates")).to_contain_text("湘应急执-0001")
    inspection_path = urlsplit(phone.url).path
    phone.get_by_test_id("checklist-choice").select_option(label="工贸企业重大事故隐患判定标准（2023）")
    phone.get_by_test_id("checklist-open").click()
    expect(phone.get_by_test_id("checklist-item").first).to_be_visible()
    assert_no_horizontal_scroll(phone)
    expect(phone.locator("html[data-offline-ready='1']")).to_have_count(1, timeout=30_000)

    # In the plant the signal drops: the checklist results and a finding are kept on the phone.
    phone.context.set_offline(True)
    failed = phone.get_by_test_id("checklist-item").filter(has_text=FAILED_ITEM)
    failed.get_by_test_id("outcome-fail").click()
    failed.locator("input[name^=note_]").fill("外包检修队伍未纳入统一管理（离线记录）")
    phone.get_by_test_id("checklist-item").filter(has_text=PASSED_ITEM).get_by_test_id("outcome-pass").click()
    phone.get_by_test_id("checklist-item").filter(has_text=NA_ITEM).get_by_test_id("outcome-na").click()
    phone.fill("input[name=deadline][id=id_sheet_deadline]", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    phone.get_by_test_id("checklist-submit").click()
    expect(phone.get_by_test_id("offline-status").first).to_contain_text("已保存在本机")
    finding = phone.get_by_test_id("finding-form")
    finding.locator("textarea[name=text]").fill("安全生产责任制已公示（离线记录）")
    finding.locator("select[name=result]").select_option("ok")
    phone.get_by_test_id("finding-add").click()
    expect(phone.get_by_test_id("offline-status").first).to_contain_text("已保存在本机")
    phone.reload()  # still offline: the page comes from the service worker, the records stay queued
    expect(phone.get_by_test_id("checklist-form")).to_be_visible()
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("offline-status").first).to_contain_text("已提交", timeout=30_000)
    phone.get_by_test_id("offline-link").click()
    expect(phone.get_by_test_id("finding-row")).to_have_count(2)  # each sent once, never twice
    expect(phone.get_by_test_id("checklist-counts")).to_contain_text("已检查 3 项")
    expect(phone.get_by_test_id("checklist-counts")).to_contain_text("未检查")
    assert_no_horizontal_scroll(phone)

    # The inspector grades the hazard, forms the record and issues the order.
    phone.get_by_test_id("finding-hazard").click()
    expect(phone.locator("body")).to_contain_text("外包检修队伍未纳入统一管理")
    _move(phone, "assess", select={"grade": "general"})
    expect(phone.get_by_test_id("hazard-status").first).to_contain_text("已定级")
    menu(phone, "执法检查")
    phone.get_by_role("link", name="现场检查").first.click()
    phone.get_by_test_id("inspection-link").filter(has_text=TARGET).first.click()
    assert urlsplit(phone.url).path == inspection_path
    phone.fill("input[name=signer]", "企业负责人王某")
    phone.fill("input[name=review_days]", "10")
    phone.locator("[data-testid=record]").click()
    expect(phone.get_by_test_id("inspection-status")).to_have_text("已记录待复查")
    with phone.expect_download() as download:
        phone.get_by_test_id("doc-enforcement_order").click()
    text, cells = _docx_text(download.value.path())
    assert "责令限期整改指令书" in text and re.search(rf"湘乡应急责改〔{year}〕\d+号", text)
    assert TARGET in text and FAILED_ITEM in cells and "刘执法" in cells
    assert "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）第三条（一）" in cells

    # The enterprise finds the hazard from its home page and rectifies it.
    enterprise = new_page("qiye")
    enterprise.goto("/")
    enterprise.get_by_test_id("card-hazards").get_by_role("link", name=re.compile(r"^\d+ 未销号$")).click()
    enterprise.locator("tr", has_text=FAILED_ITEM[:12]).get_by_role("link").first.click()
    enterprise.get_by_test_id("plan-edit").click()
    plan = enterprise.get_by_test_id("plan-form")
    plan.locator("[name=responsible_person]").fill("陈安全")
    plan.locator("[name=measures]").fill("将外包检修队伍纳入统一安全管理，签订安全管理协议")
    plan.locator("[name=funds]").fill("5000")
    plan.locator("[name=deadline]").fill((dt.date.today() + dt.timedelta(days=10)).isoformat())
    plan.locator("[name=interim_measures]").fill("检修作业前由安全员现场确认")
    plan.locator("button").first.click()
    _move(enterprise, "plan")
    _move(enterprise, "start")
    _move(enterprise, "apply", result="已与外包单位签订协议并纳入统一管理", rectified_on=dt.date.today().isoformat())
    expect(enterprise.get_by_test_id("hazard-status").first).to_contain_text("申请验收")

    # The inspector finds the 待验收 notice in his messages, accepts and closes the hazard, then the 复查.
    phone.goto("/")
    menu(phone, "消息")
    notice = phone.get_by_test_id("inbox").get_by_role("link", name=re.compile("待验收")).first
    expect(notice).to_be_visible(timeout=30_000)  # (a loaded 2-core box has taken longer than the default 15 s)
    notice.click()
    _move(phone, "accept")
    _move(phone, "close")
    expect(phone.get_by_test_id("hazard-status").first).to_contain_text("已销号")
    phone.goto("/")
    menu(phone, "执法检查")
    phone.get_by_role("link", name="现场检查").first.click()
    phone.get_by_test_id("inspection-link").filter(has_text=TARGET).first.click()
    phone.fill("textarea[name=review_note]", "经复查，外包检修队伍已纳入统一管理，隐患已整改。")
    phone.get_by_test_id("close").click()
    expect(phone.get_by_test_id("inspection-status")).to_have_text("已办结")
    with phone.expect_download() as download:
        phone.get_by_test_id("doc-enforcement_review").click()
    text, cells = _docx_text(download.value.path())
    assert "整改复查意见书" in text and re.search(rf"湘乡应急复查〔{year}〕\d+号", text)
    assert "经复查，外包检修队伍已纳入统一管理" in text and re.search(rf"湘乡应急责改〔{year}〕\d+号", text)

    # The bureau finds the inspection in its list, opens a penalty case, decides and publishes it.
    office.goto("/enforcement/")
    office.get_by_role("link", name="现场检查").first.click()
    office.get_by_test_id("inspection-link").filter(has_text=TARGET).first.click()
    office.fill("input[name=cause]", "未对承包单位的安全生产工作统一协调、管理（浏览器）")
    office.locator("[data-testid=case-open]").click()
    expect(office.locator("[data-testid=case-status]")).to_have_text("已立案")
    office.locator("[data-testid=case-investigate]").click()
    notify = office.locator("form", has=office.locator("[data-testid=case-notify]"))
    notify.locator("textarea[name=facts]").fill("检查发现未对承包单位的安全生产工作统一协调、管理")
    notify.locator("textarea[name=basis]").fill("《中华人民共和国安全生产法》第一百零三条")
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
    penalties = public.locator("[data-testid=public-penalties]")
    expect(penalties).to_contain_text("未对承包单位的安全生产工作统一协调、管理（浏览器）")
    expect(penalties).to_contain_text(f"湘乡应急罚决〔{year}〕")
    expect(public.locator("body")).to_contain_text(TARGET)
    public.locator("[data-testid=public-draw]").first.click()
    expect(public.locator("body")).to_contain_text(commitment)
    expect(public.locator("body")).not_to_contain_text("刘执法")
