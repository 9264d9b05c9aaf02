"""Journey (issue #16): a 2024–2026 campaign is created and run entirely in the browser — its own plan type,
a phase, a plan, a goal, a task table imported, the campaign started; two townships report on their own parts
of a shared task (each finds it through a notification or 我的任务), the office finds the reports through its
messages and sees the evidence, accepts one and returns the other; the overdue part shows on the 督办台 and in
the overview per unit; the office closes and archives the campaign (it leaves the 督办台, pages turn read-only)
and generates its report with each unit's narrative. Nobody types a URL after logging in."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from core.xlsx import Workbook

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(title: str) -> bytes:
    """A 分工表 with 牵头 and 配合 columns: one task the two townships lead together, long overdue."""
    book = Workbook()
    ws = book.sheet("任务清单")
    ws.merge(0, 0, 0, 5, "重大事故隐患排查整治任务分工表")
    ws.write_row(1, ["序号", "任务", "具体工作", "牵头单位", "配合单位", "完成时限"])
    ws.write_row(2, ["1", title, "逐户排查燃气管道和报警装置", "东山街道、山枣镇", "市消防救援大队", "2024年6月底"])
    return book.getvalue()


def _open_message(page: Page, *texts: str) -> None:
    """From wherever the user is: the 消息 menu, then the newest message that names all of ``texts``."""
    page.locator("[data-testid=nav-inbox]").click()
    link = page.locator("[data-testid=inbox] a")
    for text in texts:
        link = link.filter(has_text=text)
    link.first.click()


def _report(page: Page, narrative: str, *, photo: bool) -> None:
    page.select_option("select[name=reported_status]", "done")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=narrative]", narrative)
    if photo:
        page.set_input_files("input[name=files]", files=[{"name": "现场照片.png", "mimeType": "image/png",
                                                          "buffer": PNG}])
    page.locator("[data-testid=submit-report]").click()
    expect(page.locator(".alert").first).to_contain_text("进展已报送")


def test_a_campaign_is_created_run_reviewed_closed_archived_and_reported(new_page: Callable[..., Page]) -> None:
    stamp = int(time.time()) % 10**6
    name = f"治本攻坚三年行动{stamp}"
    title = f"燃气管道排查{stamp}"
    office = new_page("anweiban")

    # -- the office creates the campaign (筹备) ----------------------------------------------------
    office.goto("/")
    office.get_by_role("link", name="专项整治").first.click()
    office.get_by_role("link", name="新建行动").click()
    office.fill("#id_name", name)
    office.fill("#id_starts_on", "2024-01-01")
    office.fill("#id_ends_on", "2026-12-31")
    office.get_by_role("button", name="保存").click()
    expect(office.locator("[data-testid=campaign-stage]")).to_have_text("筹备")
    overview = re.sub(r"^https?://[^/]+", "", office.url)

    # its own plan type (one of its 八大行动), a phase, a plan of that type and a goal
    office.get_by_role("link", name="方案类别").click()
    office.fill("#id_code", "A1")
    office.fill("#id_name", "重大事故隐患排查整治行动")
    office.select_option("#id_kind", "thematic")
    office.locator("[data-testid=save-plan-type]").click()
    expect(office.locator("#plan-types")).to_contain_text("重大事故隐患排查整治行动")
    office.locator("nav a", has_text="阶段").first.click()
    office.fill("#id_name", "排查整治")
    office.fill("#id_starts_on", "2024-01-01")
    office.fill("#id_ends_on", "2026-06-30")
    office.get_by_role("button", name="保存").click()
    expect(office.locator("table")).to_contain_text("排查整治")
    office.locator("nav a", has_text="总览").first.click()
    office.get_by_role("link", name="新增方案").click()
    office.select_option("#id_plan_type", label="A1 重大事故隐患排查整治行动")
    office.select_option("#id_kind", "thematic")
    office.fill("#id_title", "重大事故隐患排查整治行动方案")
    office.fill("#id_short_name", "隐患排查")
    office.get_by_role("button", name="保存").click()
    expect(office.locator(".alert-success")).to_contain_text("已保存方案")
    expect(office.locator("body")).to_contain_text("重大事故隐患排查整治行动 ·")
    office.locator("[data-testid=add-goal]").click()
    office.fill("#id_text", "燃气用户报警装置安装率达到100%")
    office.fill("#id_metric", "报警装置安装率")
    office.select_option("#id_comparison", "ge")
    office.fill("#id_target_value", "100")
    office.fill("#id_measure_unit", "%")
    office.locator("[data-testid=save-goal]").click()
    expect(office.locator("body")).to_contain_text("≥ 100%")

    # the task table, imported
    office.locator("nav a", has_text="总览").first.click()
    office.get_by_role("link", name="导入任务清单").click()
    office.select_option("#id_plan", label="A1 隐患排查")
    office.set_input_files("input[name=file]", files=[{"name": "任务清单.xlsx", "mimeType": XLSX,
                                                       "buffer": _table(title)}])
    office.get_by_role("button", name="导入").click()
    expect(office.locator(".alert-success")).to_contain_text("已导入任务清单")

    office.locator("nav a", has_text="总览").first.click()
    office.locator("[data-testid=stage-start]").click()
    expect(office.locator("[data-testid=campaign-stage]")).to_have_text("实施")

    # -- 东山街道 finds its new task in a message, reports with evidence -------------------------------
    dongshan = new_page("dongshan")
    dongshan.goto("/")
    _open_message(dongshan, title)
    expect(dongshan.locator("h1")).to_contain_text(title)
    expect(dongshan.locator("[data-testid=done-rule]")).to_contain_text("所有牵头单位和实施单位")
    _report(dongshan, "东山街道已完成辖区燃气管道排查，附现场照片。", photo=True)

    # -- 山枣镇 finds it in 我的任务 (searched by the task's name) and reports -----------------------------
    shanzao = new_page("shanzao")
    shanzao.goto("/")
    shanzao.get_by_role("link", name="我的任务").first.click()
    shanzao.fill("input[name=q]", title)
    shanzao.get_by_role("button", name="查询").click()
    shanzao.locator("#my-tasks a", has_text=title).click()
    _report(shanzao, "山枣镇已完成排查。", photo=False)

    # -- the office finds the reports through its messages, sees the evidence, accepts one, returns one ----
    office.goto("/")
    _open_message(office, "待审核进展报送：东山街道", title)
    card = office.locator(".card", has_text="东山街道已完成辖区燃气管道排查")
    expect(card.locator("[data-testid=review-narrative]")).to_contain_text("附现场照片")
    expect(card.locator("a", has_text="现场照片")).to_be_visible()
    card.locator("[data-testid=accept]").click()
    expect(office.locator(".alert-success")).to_contain_text("已采纳")
    card = office.locator(".card", has_text="山枣镇已完成排查")
    expect(card).to_contain_text("未附佐证材料")
    card.locator("textarea[name=comment]").fill("请附排查台账和现场照片")
    card.locator("[data-testid=return]").click()
    expect(office.locator(".alert-success")).to_contain_text("已退回")

    # 山枣镇 reads the return in its messages, with the comment on the task page
    shanzao.goto("/")
    _open_message(shanzao, "进展报送被退回", title)
    expect(shanzao.locator("#report-form")).to_contain_text("请附排查台账和现场照片")

    # -- the task is not done: 东山街道's part is, 山枣镇's is overdue and on the 督办台 -----------------
    office.get_by_role("link", name="专项整治").first.click()
    office.get_by_role("link", name=name).first.click()
    units = office.locator("#by-unit")
    expect(units.locator("tr", has_text="东山街道")).to_contain_text("1")
    shanzao_row = units.locator("tr", has_text="山枣镇")
    expect(shanzao_row.locator("td").last).to_have_text("1")  # overdue: its own part
    expect(office.locator("[data-testid=done-tasks]")).to_have_text("0")
    office.locator("#totals a").nth(3).click()  # 逾期未完成 → the task list, filtered
    office.get_by_role("link", name=re.compile(title)).first.click()
    expect(office.locator("[data-testid='part-东山街道'] [data-testid=part-status]")).to_have_text("已完成")
    expect(office.locator("[data-testid='part-山枣镇'] [data-testid=part-status]")).to_have_text("未开始")
    office.get_by_role("link", name="督办台").first.click()
    office.locator("[data-testid='overdue-campaigns.task']").click()
    expect(office.locator("table")).to_contain_text(title)

    # -- close and archive: it leaves the 督办台, its pages turn read-only ---------------------------------
    office.get_by_role("link", name="专项整治").first.click()
    office.get_by_role("link", name=name).first.click()
    office.locator("[data-testid=stage-close]").click()
    expect(office.locator("[data-testid=campaign-stage]")).to_have_text("总结")
    office.locator("[data-testid=stage-archive]").click()
    expect(office.locator("[data-testid=campaign-stage]")).to_have_text("归档")
    expect(office.locator("[data-testid=archived-note]")).to_be_visible()
    expect(office.get_by_role("link", name="编辑行动")).to_have_count(0)
    expect(office.locator("[data-testid=stage-form]")).to_have_count(0)
    office.get_by_role("link", name="督办台").first.click()
    office.locator("[data-testid='overdue-campaigns.task']").click()
    expect(office.locator("body")).not_to_contain_text(title)

    # -- the report, with each unit's own words ----------------------------------------------------------
    office.get_by_role("link", name="专项整治").first.click()
    office.get_by_role("link", name=name).first.click()
    assert office.url.endswith(overview)
    office.locator("nav a", has_text="进展报告").first.click()
    expect(office.locator("#unit-reports")).to_contain_text("东山街道已完成辖区燃气管道排查")
    expect(office.locator("#unit-reports")).to_contain_text("山枣镇已完成排查")
    with office.expect_download() as download:
        office.get_by_role("link", name="下载 Word").click()
    assert download.value.suggested_filename.endswith(".docx")
