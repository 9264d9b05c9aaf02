"""Journey (issue 15): someone without an account reports a hidden danger on a phone through the public page,
answers the challenge and keeps the tracking code; they follow it by code; the township (属地) accepts it and
assigns it to the emergency bureau; the bureau records the verification on site, replies, and registers the
hazard it found; the office proposes the reward by the rule, approves it and records the payout; the reporter
sees the reply and the reward by the code (the office's home card and cockpit count it and open the list holding
it). The reporter's name shows only to the office, on request. Each next
actor finds the tip in their messages (township: to accept; bureau: to verify; office: to set the reward).

Second journey: a tip about a building site that is no registered enterprise is assigned to the housing bureau,
which opens an enforcement inspection (来源: 举报) from the tip's page; the inspection page and the tip page link to
each other, and the reporter's name is on neither."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


def _answer(page: Page) -> str:
    a, b = re.fullmatch(r"(\d+) \+ (\d+) = \?", page.locator("[data-testid=tip-question]").inner_text()).groups()
    return str(int(a) + int(b))


def _track(page: Page, code: str) -> None:
    page.goto("/tips/track/")
    page.fill("input[name=code]", code)
    page.locator("[data-testid=track-submit]").click()


def _from_inbox(page: Page, title: str) -> None:
    page.goto("/notifications/")
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(page.locator("[data-testid=tip-status]")).to_be_visible()


def test_tip_from_the_public_to_reward(new_page: Callable[..., Page]) -> None:
    public = new_page(None, phone=True)
    public.goto("/tips/report/")
    public.locator("input[name=kind][value=hazard]").check()
    public.fill("textarea[name=description]", "废品收购站里堆放几十只液化气钢瓶，旁边还在烧火做饭。")
    public.select_option("select[name=jurisdiction]", label="东山街道")
    public.fill("input[name=subject]", "东山路废品收购站")
    public.fill("input[name=address]", "东山街道东山路99号")
    public.fill("input[name=name]", "浏览器举报人")
    public.fill("input[name=phone]", "13600009999")
    public.fill("input[name=answer]", _answer(public))
    public.locator("[data-testid=tip-submit]").click()
    code = public.locator("[data-testid=tip-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    _track(public, code)
    expect(public.locator("[data-testid=track-status]")).to_have_text("已收到，等待受理")

    township = new_page("dongshan")
    _from_inbox(township, "请受理：东山路废品收购站")
    expect(township.locator("body")).to_contain_text("东山路废品收购站")
    expect(township.locator("body")).not_to_contain_text("浏览器举报人")
    tip_url = township.url
    assign = township.locator("[data-testid=move-assign]")
    assign.locator("select[name=assigned_unit]").select_option(label="市应急管理局")
    assign.locator("button").click()
    expect(township.locator("[data-testid=tip-status]")).to_have_text("已分办")

    bureau = new_page("yingji")
    _from_inbox(bureau, "请核查：东山路废品收购站")
    assert bureau.url == tip_url
    verify = bureau.locator("[data-testid=move-verify]")
    verify.locator("textarea[name=verification]").fill("2026年现场核查：钢瓶28只，无通风，属实。核查人李应急。")
    verify.locator("select[name=confirmed]").select_option("yes")
    verify.locator("button").click()
    expect(bureau.locator("[data-testid=tip-status]")).to_have_text("已核查")
    reply = bureau.locator("[data-testid=move-reply]")
    reply.locator("textarea[name=reply]").fill("经核查情况属实，已责令立即清理钢瓶并登记隐患督促整改。")
    reply.locator("button").click()
    expect(bureau.locator("[data-testid=tip-status]")).to_have_text("已答复")
    hazard = bureau.locator("[data-testid=tip-hazard-form]")
    hazard.locator("select[name=domain]").select_option(label="工贸行业")
    hazard.locator("select[name=grade]").select_option("general")
    hazard.locator("button").click()
    expect(bureau.locator("[data-testid=tip-hazard]")).to_contain_text("YH")

    office = new_page("anweiban")
    _from_inbox(office, "请拟定奖励：东山路废品收购站")
    assert office.url == tip_url
    office.locator("[data-testid=tip-reveal]").click()
    expect(office.locator("[data-testid=tip-identity]")).to_contain_text("浏览器举报人")
    office.goto(tip_url)
    office.locator("[data-testid=move-propose] button").click()
    expect(office.locator("[data-testid=tip-reward]")).to_contain_text("200")
    office.locator("[data-testid=move-approve] button").click()
    pay = office.locator("[data-testid=move-pay]")
    pay.locator("input[name=payout_ref]").fill("奖励发放2026-001")
    pay.locator("button").click()
    expect(office.locator("[data-testid=tip-status]")).to_have_text("奖励已发放")
    office.goto("/")
    office.locator("[data-testid=tips-rewarded]").click()
    expect(office.locator("[data-testid=tip-link]")).to_have_count(1)
    office.goto("/")
    office.locator("[data-testid=nav-core-cockpit]").first.click()  # the cockpit: the same figure, the same list
    expect(office.locator("[data-testid=cockpit-tips-rewarded]")).to_contain_text("1")
    office.locator("[data-testid=cockpit-tips-rewarded]").click()
    expect(office.locator("[data-testid=tip-link]")).to_have_count(1)

    _track(public, code.lower())
    expect(public.locator("[data-testid=track-reply]")).to_contain_text("已责令立即清理钢瓶")
    expect(public.locator("[data-testid=track-status]")).to_have_text("已答复，奖励已发放")
    expect(public.locator("body")).not_to_contain_text("市应急管理局")


def test_tip_becomes_an_enforcement_inspection(new_page: Callable[..., Page]) -> None:
    public = new_page(None, phone=True)
    public.goto("/tips/report/")
    public.locator("input[name=kind][value=illegal]").check()
    public.fill("textarea[name=description]", "工地深基坑没有支护也没有围挡，夜里还在开挖，旁边就是小学。")
    public.select_option("select[name=jurisdiction]", label="东山街道")
    public.fill("input[name=subject]", "东山路无名工地")
    public.fill("input[name=address]", "东山街道东山路188号")
    public.fill("input[name=name]", "工地举报人")
    public.fill("input[name=answer]", _answer(public))
    public.locator("[data-testid=tip-submit]").click()
    expect(public.locator("[data-testid=tip-code]")).to_be_visible()

    township = new_page("dongshan")
    _from_inbox(township, "请受理：东山路无名工地")
    assign = township.locator("[data-testid=move-assign]")
    assign.locator("select[name=assigned_unit]").select_option(label="市住房城乡建设局")
    assign.locator("button").click()
    expect(township.locator("[data-testid=tip-status]")).to_have_text("已分办")

    housing = new_page("zhujian")
    for name, cert in (("王住建", "湘住建执-0901"), ("陈住建", "湘住建执-0902")):
        housing.goto("/enforcement/inspectors/new/")
        housing.fill("input[name=name]", name)
        housing.fill("input[name=cert_number]", cert)
        housing.fill("input[name=cert_valid_until]", "2099-12-31")
        housing.locator("[data-testid=submit]").click()
        expect(housing.locator("body")).to_contain_text(cert)
    _from_inbox(housing, "请核查：东山路无名工地")
    tip_url = housing.url
    expect(housing.locator("body")).not_to_contain_text("工地举报人")
    form = housing.locator("[data-testid=tip-inspection-form]")
    form.locator("select[name=domain]").select_option(label="城市建设")
    options = form.locator("select[name=inspectors] option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())
              if "住建" in options.nth(i).inner_text()]
    form.locator("select[name=inspectors]").select_option(values)
    form.locator("input[name=unannounced]").check()
    form.locator("button").click()
    expect(housing.locator("[data-testid=inspection-page]")).to_contain_text("东山路无名工地")
    expect(housing.locator("[data-testid=inspection-page]")).to_contain_text("举报")
    expect(housing.locator("body")).not_to_contain_text("工地举报人")
    housing.locator("[data-testid=source-tip]").click()
    assert housing.url == tip_url
    expect(housing.locator("[data-testid=tip-inspection]")).to_contain_text("东山路无名工地")
