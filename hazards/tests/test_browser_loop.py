"""The whole loop in a browser: an enterprise registers a major hazard on a phone with a photo, fills the
治理方案; the regulator lists it for supervision; the enterprise rectifies and applies; the regulator
returns it once, then accepts and closes it; the board and the figures follow."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hazards.tests.factories import MAJOR_PLAN, PLAN, png_bytes

pytestmark = pytest.mark.browser

DESCRIPTION = "浏览器测试：煤气柜区域可燃气体报警器失效"


def _figure(page, key: str) -> str:  # type: ignore[no-untyped-def]
    page.goto("/hazards/")
    return page.get_by_test_id(f"figure-{key}-value").inner_text().strip()


def _move(page, action: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id(f"move-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        box.locator(f"[name={name}]").fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_major_hazard_closed_loop(new_page) -> None:
    regulator = new_page("yingji")
    major_before = int(_figure(regulator, "major"))

    # 1. The enterprise registers on a phone, with a photo from the camera.
    phone = new_page("qiye", phone=True)
    phone.goto("/hazards/new/")
    assert phone.locator("input[name=photos]").get_attribute("capture") == "environment"
    phone.set_input_files("input[name=photos]", {"name": "scene.png", "mimeType": "image/png", "buffer": png_bytes()})
    phone.fill("#id_description", DESCRIPTION)
    phone.select_option("#id_grade", "major")
    phone.fill("#id_report_cause", "报警器超期未检定，传感器失效")
    phone.fill("#id_report_analysis", "泄漏无法及时发现，可致中毒和爆炸；需停用检修，整改难度较大")
    phone.get_by_role("button", name="登记").click()
    phone.wait_for_load_state()
    assert re.search(r"/hazards/\d+/$", phone.url), phone.url
    hazard_url = phone.url.replace(phone.url.split("/hazards/")[0], "")
    assert "已定级" in phone.get_by_test_id("hazard-status").first.inner_text()
    assert phone.locator("[data-testid=photos] img").count() == 1

    # 2. The 治理方案 (五到位 + six parts), then the plan is confirmed.
    phone.get_by_test_id("plan-edit").click()
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for name, value in {**PLAN, **MAJOR_PLAN, "deadline": deadline}.items():
        phone.fill(f"#id_{name}", str(value))
    phone.get_by_role("button", name="保存方案").click()
    phone.wait_for_load_state()
    _move(phone, "plan")
    assert "已制定方案" in phone.get_by_test_id("hazard-status").first.inner_text()

    # 3. The regulator sees it on the board and lists it for supervision.
    assert int(_figure(regulator, "major")) == major_before + 1
    regulator.goto("/hazards/board/")
    assert DESCRIPTION[:10] in regulator.get_by_test_id("major-board").inner_text()
    regulator.goto(hazard_url)
    regulator.get_by_test_id("supervise").click()
    regulator.fill("#id_document_number", "湘应急督〔2026〕99号")
    regulator.get_by_role("button", name="挂牌督办").click()
    regulator.wait_for_load_state()
    supervision = regulator.get_by_test_id("supervision")
    assert "交办制" in supervision.inner_text() and "台账制" in supervision.inner_text()

    # 4. The enterprise rectifies and applies for acceptance.
    phone.reload()
    _move(phone, "start")
    phone.select_option("[data-testid=attach-form] select[name=role]", "after")
    phone.set_input_files("[data-testid=attach-form] input[name=file]",
                          {"name": "after.png", "mimeType": "image/png", "buffer": png_bytes()})
    phone.locator("[data-testid=attach-form] button").click()
    phone.wait_for_load_state()
    _move(phone, "apply", result="已更换报警器并检定合格")
    assert "申请验收" in phone.get_by_test_id("hazard-status").first.inner_text()

    # 5. The regulator returns it once (with a reason), sees the 10-day countdown, then accepts and closes.
    regulator.goto(hazard_url)
    assert "还剩 10 天" in regulator.get_by_test_id("review-countdown").inner_text()
    _move(regulator, "return", note="未提供检定证书")
    assert "整改中" in regulator.get_by_test_id("hazard-status").first.inner_text()
    phone.reload()
    _move(phone, "apply", result="已补充检定证书")
    regulator.goto(hazard_url)
    _move(regulator, "accept")
    _move(regulator, "close")
    assert "已销号" in regulator.get_by_test_id("hazard-status").first.inner_text()
    timeline = regulator.get_by_test_id("timeline").inner_text()
    for label in ("登记", "评估定级", "确定整改方案", "挂牌督办", "开始整改", "申请验收", "退回整改", "验收通过", "销号"):
        assert label in timeline, label
    assert "未提供检定证书" in timeline
    assert "销号制" in regulator.get_by_test_id("supervision").inner_text()

    # 6. The board no longer lists it; the figures moved.
    regulator.goto("/hazards/board/")
    assert DESCRIPTION[:10] not in regulator.get_by_test_id("major-board").inner_text()
    assert int(_figure(regulator, "major")) == major_before + 1
    regulator.get_by_test_id("figure-rate").click()
    regulator.wait_for_load_state()
    assert DESCRIPTION[:10] in regulator.get_by_test_id("hazard-table").inner_text()
