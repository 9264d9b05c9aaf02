from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import services, tasktable
from campaigns.choices import PlanKind, TaskSource
from campaigns.loaders import DATA_FILE
from campaigns.models import Task

pytestmark = pytest.mark.django_db
PLANS = [p for p in json.loads(DATA_FILE.read_text(encoding="utf-8"))["plans"] if p["task_list_2020"]]
KEYS = ["group", "no", "item", "measures", "responsible", "deadline"]
HEAD = ["专题项目", "序号", "任务", "整治措施", "责任单位", "计划完成时间"]


def effective(r: dict) -> dict[str, str]:
    inh = r.get("inherited") or {}
    return {"group": r.get("group") or "", "no": r.get("no") or "", "item": r.get("item") or inh.get("item") or "",
            "measures": r.get("measures") or "", "responsible": r.get("responsible_text") or "",
            "deadline": r.get("deadline_text") or inh.get("deadline_text") or ""}


def write_table(caption: str, rows: list[dict], *, merges: bool = True) -> bytes:
    """The table as an office would send it: a caption, a blank row, then the header; cells the
    document merged (marked ``inherited`` in the JSON) are merged, their value only in the top cell."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet()
    ws.merge_range(0, 0, 0, len(KEYS) - 1, caption)
    for c, h in enumerate(HEAD):
        ws.write(2, c, h)
    values = [effective(r) for r in rows]
    for c, key in enumerate(KEYS):
        i = 0
        while i < len(rows):
            end = i
            inherits = {"group": "group", "item": "item", "deadline": "deadline_text"}.get(key)
            while merges and inherits and end + 1 < len(rows) and inherits in (rows[end + 1].get("inherited") or {}):
                end += 1
            if end > i:
                ws.merge_range(3 + i, c, 3 + end, c, values[i][key])
            else:
                ws.write_string(3 + i, c, values[i][key])
            i = end + 1
    book.close()
    return buf.getvalue()


@pytest.fixture
def campaign(world):
    from orgs.models import Jurisdiction, Unit

    return services.campaign_create(actor=None, name="导入测试", starts_on=dt.date(2020, 6, 1),
                                    ends_on=dt.date(2022, 12, 31), office_unit=Unit.objects.get(name="市安委办"),
                                    jurisdiction=Jurisdiction.objects.get(code="430381"))


def rows_of(plan) -> list[dict[str, str]]:
    return [{"group": t.table_group, "no": t.number, "item": t.title, "measures": t.measures,
             "responsible": t.responsibility_text, "deadline": t.deadline_text}
            for t in Task.objects.filter(plan=plan, source=TaskSource.TABLE).order_by("sort")]


@pytest.mark.parametrize("plan_data", PLANS, ids=[p["code"] for p in PLANS])
def test_each_seed_task_table_imports_with_merged_cells(world, campaign, plan_data) -> None:
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code=plan_data["code"],
                              title=plan_data["title"], short_name=plan_data["short_name"])
    rows = plan_data["task_list_2020"]["rows"]
    data = write_table(plan_data["task_list_2020"]["caption"], rows)
    result = tasktable.import_table(actor=world.user("office"), plan=plan, data=io.BytesIO(data), year=2020)
    assert result.ok, result.errors
    assert result.created == len(rows)
    expected = [{k: v.strip() for k, v in effective(r).items()} for r in rows]
    assert rows_of(plan) == expected
    # Re-importing the same file changes nothing (every row matches its task unchanged).
    again = tasktable.import_table(actor=world.user("office"), plan=plan, data=io.BytesIO(data), year=2020)
    assert (again.created, again.updated) == (0, 0) and rows_of(plan) == expected


def test_a_bad_row_imports_nothing_and_is_named(world, campaign) -> None:
    d2 = next(p for p in PLANS if p["code"] == "D2")
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="D2", title=d2["title"],
                              short_name="非煤矿山")
    rows = [dict(r) for r in d2["task_list_2020"]["rows"]]
    rows[2]["responsible_text"] = "市应急管理局、市火星管理局"
    rows[3]["deadline_text"] = "2020年13月底"  # a date that is no date (an undated phrase would not block)
    rows[4]["item"] = ""
    result = tasktable.import_table(actor=world.user("office"), plan=plan, data=io.BytesIO(
        write_table("清单", rows, merges=False)), year=2020)
    assert not result.ok
    assert Task.objects.filter(plan=plan).count() == 0
    text = "\n".join(result.errors)
    assert "第 6 行" in text and "市火星管理局" in text  # header on row 3, data from row 4
    assert "第 7 行" in text and "2020年13月底" in text
    assert "第 8 行" in text and "任务为空" in text


def test_yearless_deadline_takes_the_tables_year(world, campaign) -> None:
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="X1", title="x",
                              short_name="x")
    rows = [{"no": "1", "item": "年底前完成", "measures": "", "responsible_text": "市应急管理局",
             "deadline_text": "10月30日前"}]
    result = tasktable.import_table(actor=world.user("office"), plan=plan,
                                    data=io.BytesIO(write_table("t", rows)), year=2024)
    assert result.ok, result.errors
    task = Task.objects.get(plan=plan)
    assert task.deadline == dt.date(2024, 10, 30) and task.deadline_text == "10月30日前"


def test_export_writes_the_same_layout_and_reimports(world, campaign) -> None:
    d3 = next(p for p in PLANS if p["code"] == "D3")
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="D3", title=d3["title"],
                              short_name="消防")
    rows = d3["task_list_2020"]["rows"]
    tasktable.import_table(actor=world.user("office"), plan=plan,
                           data=io.BytesIO(write_table("c", rows)), year=2020)
    exported = tasktable.export_table(list(Task.objects.filter(plan=plan).order_by("sort")), caption="消防清单")
    grid, _merged = tasktable.read_grid(io.BytesIO(exported))
    assert grid[1][:6] == ["分组", "序号", "任务", "整治措施", "责任单位", "计划完成时间"]
    copy = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="D3b", title="副本",
                              short_name="副本")
    result = tasktable.import_table(actor=world.user("office"), plan=copy, data=io.BytesIO(exported), year=2020)
    assert result.ok, result.errors
    assert rows_of(copy) == rows_of(plan)


def test_import_page_is_for_the_office_only(client, world, campaign) -> None:
    plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.THEMATIC, code="T9", title="t",
                              short_name="t")
    url = reverse("campaigns:table_import", args=[campaign.pk])
    client.force_login(world.users["township_a"])
    assert client.get(url).status_code in (403, 404)
    client.force_login(world.users["office"])
    bad = write_table("c", [{"no": "1", "item": "", "responsible_text": "市应急管理局", "deadline_text": "2020年"}])
    response = client.post(url, {"plan": plan.pk, "year": 2020,
                                 "file": SimpleUploadedFile("t.xlsx", bad)})
    assert response.status_code == 200 and "任务为空" in response.content.decode()
    good = write_table("c", [{"no": "1", "item": "建立台账", "responsible_text": "东山街道", "deadline_text": "即时"}])
    response = client.post(url, {"plan": plan.pk, "year": 2020, "file": SimpleUploadedFile("t.xlsx", good)})
    assert response.status_code == 302
    assert Task.objects.get(plan=plan).deadline_kind == "immediate"
    export = client.get(reverse("campaigns:table_export", args=[plan.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
