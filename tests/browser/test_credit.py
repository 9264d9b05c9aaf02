"""Journey (issue 15, items 3–4): the emergency bureau registers an obstructed inspection on an enterprise of its
scope, sees the credit class fall to C on the enterprise's credit page (reached from the enterprise page), proposes
and decides its place on the 严重失信主体名单, finds it in the list by class D, and the public 曝光台 shows the entry
without an account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_obstruction_class_blacklist_and_public_board(new_page: Callable[..., Page]) -> None:
    bureau = new_page("yingji")
    bureau.goto("/credit/?klass=a")
    link = bureau.locator("[data-testid=credit-link]").first
    name = link.inner_text()
    link.click()
    expect(bureau.locator("[data-testid=credit-class]")).to_contain_text("A级（守信）")
    bureau.select_option("select[name=kind]", value="obstruction")
    bureau.fill("form[action$='/events/'] input[name=occurred_on]", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    bureau.fill("form[action$='/events/'] textarea[name=grounds]", "拒绝执法人员进入生产车间检查")
    bureau.locator("[data-testid=event-submit]").click()
    expect(bureau.locator(".alert-success")).to_contain_text("已登记")
    expect(bureau.locator("[data-testid=credit-class]")).to_contain_text("C级（较差）")

    bureau.fill("form[action$='/blacklist/'] textarea[name=grounds]", "多次拒绝、阻碍监督检查，情节严重")
    bureau.locator("[data-testid=propose-submit]").click()
    expect(bureau.locator("[data-testid=blacklist-status]")).to_have_text("拟列入")
    bureau.fill("textarea[name=statement]", "企业未提出陈述申辩")
    bureau.locator("[data-testid=blacklist-decide]").click()
    expect(bureau.locator("[data-testid=blacklist-status]")).to_have_text("已列入")

    bureau.goto("/credit/?klass=d")
    expect(bureau.locator("[data-testid=credit-link]", has_text=name)).to_have_count(1)

    public = new_page(None, phone=True)
    public.goto("/tips/board/")
    expect(public.get_by_text(name).first).to_be_visible()
