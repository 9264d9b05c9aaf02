"""Task tables in other real layouts, modelled on published 2024–2026 安全生产治本攻坚三年行动 tables (county 任务
分工表 with 牵头单位 | 配合单位 under 责任单位; a city 任务清单 with 主要任务 / 重点工作和要求 / 责任单位 / 完成时限 /
完成进展 and a 填表说明 sheet). They import with no edit to the file, every column accounted for in the preview."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from django.urls import reverse

from campaigns import services, tasktable
from campaigns.choices import DeadlineKind, PlanKind, UnitRole
from campaigns.models import Task
from campaigns.tests.test_reimport import campaign  # noqa: F401 (fixture)
from campaigns.units import guesses

pytestmark = pytest.mark.django_db

DIVISION_ROWS = [  # 序号, 重点任务, 具体措施, 牵头单位, 配合单位, 完成时限, 备注
    ("一、重大事故隐患动态清零行动",),
    ("1", "开展重大事故隐患排查整治", "全面排查2023年及以前发现的重大事故隐患存量，逐项挂牌督办、跟踪销号",
     "市应急管理局（牵头）", "各负有安全监管职责的部门、各乡镇（街道）", "2024年底前", ""),
    ("2", "建立重大事故隐患动态清零机制", "建立健全重大事故隐患判定、报告、整改、销号闭环管理机制",
     "湘乡市应急管理局", "市消防救援大队", "2025年6月底前", ""),
    ("二、安全生产责任体系建设行动",),
    ("3", "压实部门安全监管责任", "按照“三个必须”要求，厘清部门安全监管职责边界，消除监管盲区",
     "市安委办", "各行业监管部门", "按国家、省统一部署", "每季度报送一次工作进展"),
    ("4", "强化乡镇（街道）属地责任", "推动乡镇（街道）落实安全生产属地管理责任，配齐安全监管力量",
     "东山街道", "山枣镇", "长期坚持", ""),
]


def division_table() -> bytes:
    """分工表: a title, a two-row header (责任单位 over 牵头单位 | 配合单位), section headings merged across."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("任务分工")
    ws.merge_range(0, 0, 0, 6, "湘乡市安全生产治本攻坚三年行动任务分工表（2024—2026年）")
    for c, h in ((0, "序号"), (1, "重点任务"), (2, "具体措施"), (5, "完成时限"), (6, "备注")):
        ws.merge_range(1, c, 2, c, h)
    ws.merge_range(1, 3, 1, 4, "责任单位")
    ws.write(2, 3, "牵头单位")
    ws.write(2, 4, "配合单位")
    r = 3
    for row in DIVISION_ROWS:
        if len(row) == 1:
            ws.merge_range(r, 0, r, 6, row[0])
        else:
            for c, v in enumerate(row):
                ws.write_string(r, c, v)
        r += 1
    wb.close()
    return buf.getvalue()


LIST_ROWS = [  # 序号, 主要任务, 重点工作和要求, 责任单位, 完成时限, 完成进展
    ("1", "落实安全生产责任", "各乡镇（街道）主要负责人每半年至少听取一次安全生产工作汇报，研究解决重大问题",
     "各乡镇（街道）", "每半年", ""),
    ("2", "推进重大事故隐患判定标准落地", "组织企业主要负责人、安全管理人员系统学习重大事故隐患判定标准",
     "湘乡市应急管理局、市消防救援大队", "2024年6月底前", ""),
    ("3", "城镇燃气安全专项整治", "全面排查燃气管网老化隐患，建立问题隐患和制度措施“两个清单”",
     "市住房城乡建设局（牵头），市城管执法局、市市场监管局", "2024年12月底前", ""),
    ("4", "安全生产宣传教育", "深入开展“安全生产月”“安全宣传五进”活动", "市委宣传部", "按国家、省统一部署", ""),
]


def task_list_book() -> bytes:
    """任务清单 with an instructions sheet first and an empty 完成进展 column the units fill in later."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    notes = wb.add_worksheet("填表说明")
    for r, line in enumerate(["1.本清单依据《湘乡市安全生产治本攻坚三年行动实施方案（2024—2026年）》分解。",
                              "2.“完成进展”栏由责任单位每季度末填报，报市安委办。",
                              "3.责任单位中标注“牵头”的为牵头单位，其余为配合单位。"]):
        notes.write(r, 0, line)
    ws = wb.add_worksheet("任务清单")
    ws.merge_range(0, 0, 0, 5, "2024年湘乡市安全生产治本攻坚任务清单")
    for c, h in enumerate(["序号", "主要任务", "重点工作和要求", "责任单位", "完成时限", "完成进展"]):
        ws.write(1, c, h)
    for r, row in enumerate(LIST_ROWS, start=2):
        for c, v in enumerate(row):
            if v:
                ws.write_string(r, c, v)
    wb.close()
    return buf.getvalue()


def plan_of(campaign, code):  # noqa: F811
    return services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code=code, title="治本攻坚",
                              short_name="治本攻坚")


def mapping(read) -> dict[str, str]:
    (sheet,) = read.selected
    return {c.header: c.field for c in sheet.listed_columns()}


def test_division_table_with_two_row_header(world, campaign) -> None:  # noqa: F811
    plan = plan_of(campaign, "A1")
    office = world.user("office")
    params = {"plan": plan.pk, "year": 2024}
    read = tasktable.IMPORTER.plan(io.BytesIO(division_table()), actor=office, params=params)
    assert mapping(read) == {"序号": "no", "重点任务": "item", "具体措施": "measures", "责任单位 / 牵头单位": "responsible",
                             "责任单位 / 配合单位": "coop", "完成时限": "deadline", "备注": ""}
    assert [c.header for _s, c in read.not_kept()] == ["备注"]  # shown as not kept, not dropped silently
    result = tasktable.IMPORTER.run(actor=office, file=io.BytesIO(division_table()), params=params)
    assert result.ok, result.errors
    assert result.created == 4
    assert any("备注" in n and "未导入" in n for n in result.notes)
    tasks = list(Task.objects.filter(plan=plan).order_by("sort"))
    assert [t.table_group for t in tasks] == ["一、重大事故隐患动态清零行动"] * 2 + ["二、安全生产责任体系建设行动"] * 2
    first = tasks[0]
    assert first.measures == DIVISION_ROWS[1][2]
    assert first.responsibility_text == "牵头单位：市应急管理局（牵头）；配合单位：各负有安全监管职责的部门、各乡镇（街道）"
    roles = {link.unit.name: link.role for link in first.unit_links.select_related("unit")}
    assert roles["市应急管理局"] == UnitRole.LEAD
    assert roles["市消防救援大队"] == UnitRole.COOP and roles["东山街道"] == UnitRole.COOP  # expanded
    second = {link.unit.name: link.role for link in tasks[1].unit_links.select_related("unit")}
    assert second == {"市应急管理局": UnitRole.LEAD, "市消防救援大队": UnitRole.COOP}
    third = tasks[2]
    assert (third.deadline, third.deadline_kind, third.deadline_text) == (None, DeadlineKind.PENDING, "按国家、省统一部署")
    third_roles = {link.unit.name: link.role for link in third.unit_links.select_related("unit")}
    assert third_roles["市安委办"] == UnitRole.LEAD and third_roles["市交通运输局"] == UnitRole.COOP  # 各行业监管部门
    assert "市教育局" not in third_roles  # no regulated domain: not a 行业监管部门
    assert (tasks[3].deadline_kind, tasks[3].deadline_text) == (DeadlineKind.RECURRING, "长期坚持")


def test_task_list_with_instructions_sheet(world, campaign) -> None:  # noqa: F811
    plan = plan_of(campaign, "B1")
    office = world.user("office")
    params = {"plan": plan.pk, "year": 2024}
    read = tasktable.IMPORTER.plan(io.BytesIO(task_list_book()), actor=office, params=params)
    assert [s.name for s in read.selected] == ["任务清单"]
    assert read.sheets[0].skip  # 填表说明: no table, and the preview says so
    assert mapping(read) == {"序号": "no", "主要任务": "item", "重点工作和要求": "measures", "责任单位": "responsible",
                             "完成时限": "deadline", "完成进展": ""}
    result = tasktable.IMPORTER.run(actor=office, file=io.BytesIO(task_list_book()), params=params)
    assert result.ok, result.errors
    tasks = list(Task.objects.filter(plan=plan).order_by("sort"))
    assert [t.measures for t in tasks] == [r[2] for r in LIST_ROWS]  # 重点工作和要求 kept as the task's text
    assert [t.title for t in tasks] == [r[1] for r in LIST_ROWS]
    gas = {link.unit.name: link.role for link in tasks[2].unit_links.select_related("unit")}
    assert gas == {"市住房城乡建设局": UnitRole.LEAD, "市城管执法局": UnitRole.COOP, "市市场监管局": UnitRole.COOP}
    assert (tasks[0].deadline_kind, tasks[0].recurrence, tasks[0].deadline_text) == (DeadlineKind.RECURRING, "half",
                                                                                    "每半年")
    assert tasks[3].deadline_kind == DeadlineKind.PENDING


@pytest.mark.parametrize("book", [division_table, task_list_book])
def test_real_layouts_import_through_the_page_with_no_edit(world, campaign, client, book) -> None:  # noqa: F811
    plan = plan_of(campaign, "C1")
    client.force_login(world.user("office"))
    upload = io.BytesIO(book())
    upload.name = "表.xlsx"
    response = client.post(reverse("campaigns:table_import", args=[campaign.pk]),
                           {"plan": plan.pk, "year": 2024, "file": upload}, follow=True)
    page = response.content.decode()
    if book is division_table:  # 备注 holds data it will not keep: the preview lists it, confirmed as it is
        assert 'data-testid="import-not-kept"' in page and "备注" in page
        job = response.context["job"]
        sheet = str(next(s.index for s in response.context["plan"].selected))
        client.post(reverse("core:import_job", args=[job.pk]), {"action": "confirm", "sheet": sheet})
    else:  # every column with data is kept (完成进展 is empty): imported at once, the empty column noted
        assert "已导入任务清单" in page
    assert Task.objects.filter(plan=plan).count() == 4


def test_near_spellings_of_real_tables_are_guessed(world) -> None:
    assert guesses("市发展和改革局")[0].name == "市发展改革局"
    assert "国网湘乡供电分公司" in [u.name for u in guesses("国网湘乡市供电公司")]
