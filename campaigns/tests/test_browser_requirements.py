"""Journey: the office reads the seed campaign's 方案要求 (its reporting schedule, 保障措施 and the 24 checklists,
opening one in the checks library), then opens a task with dated stages and reads them. The demo archives the
2020 campaign (it ended years ago): its stages are history, shown without a 确认完成 button (confirming a stage of a
running campaign is covered by campaigns/tests/test_milestones.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_office_reads_the_seed_requirements_and_its_staged_tasks(new_page: Callable[..., Page]) -> None:
    office = new_page("anweiban")
    office.goto("/campaigns/")
    office.locator("a", has_text="专项整治三年行动").first.click()
    office.locator("nav a", has_text="方案要求").first.click()
    duties = office.locator("[data-testid=duties]")
    expect(duties).to_contain_text("三年行动总结评估")
    expect(office.locator("[data-testid=duty-final-evaluation]")).to_contain_text("2022年12月31日")
    expect(office.locator("[data-testid=duty-d3-monthly]")).to_contain_text("每月")
    expect(office.locator("[data-testid=plan-master]")).to_contain_text("强化组织领导")
    expect(office.locator("details[data-testid^=checklist-]")).to_have_count(24)
    checklist = office.locator("[data-testid=checklist-D12-2]")
    checklist.locator("summary").click()
    expect(checklist).to_contain_text("有限空间")
    checklist.locator("a", has_text="在检查表库中打开").click()
    expect(office.locator("h1")).to_contain_text("有限空间")

    office.go_back()
    office.locator("nav[aria-label=行动导航] a", has_text=re.compile(r"^任务$")).click()
    office.fill("input[name=q]", "建成消防物联网监控系统")
    office.keyboard.press("Enter")
    office.locator("table a[href^='/campaigns/tasks/']", has_text="消防安全整治").first.click()
    stages = office.locator("[data-testid=milestones]")
    expect(stages.locator("tbody tr")).to_have_count(3)
    expect(office.locator("[data-testid=milestone-s2]")).to_contain_text("2021年，建成消防物联网监控系统")
    expect(office.locator("[data-testid=milestone-s1]")).to_contain_text("2020")
    expect(office.locator("[data-testid^=meet-]")).to_have_count(0)  # an archived campaign is read-only
