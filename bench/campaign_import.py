"""Benchmark: a 2,000-row task table (分工表) through the real task-table importer — the preview (read, column
mapping, the review of unit spellings and of the diff against stored tasks) and the commit — first into an empty
plan, then a re-issued table (rows inserted, reworded, removed) into the same plan. Prints wall time and SQL
statements for each step.

The generated workbook is what a county office sends round: a merged title row, a two-row header (责任单位 over
牵头单位 | 配合单位), section rows merged across the table (一、…), 序号 | 重点任务 | 具体工作 | 牵头单位 | 配合单位 |
完成时限 | 备注, real unit names (with notes such as （牵头）, collective names such as 各乡镇（街道）) and the
deadline phrases real plans use (dates, stages, 每年10月31日前, 每季度, 收到通知后5个工作日内, 按国家、省统一部署).

Runs against a throw-away database: a temporary SQLite file, or, with DATABASE_URL set, a PostgreSQL database
named ``<name>_campaign_bench`` that is created and dropped. Usage:

    .venv/bin/python bench/campaign_import.py [--rows 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anzhi .venv/bin/python bench/campaign_import.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="anzhi-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
else:
    base, _, name = os.environ["DATABASE_URL"].rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}_campaign_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import raw_copy_seconds  # noqa: E402

DEADLINES = ["2024年12月底前", "2024年6月30日前", "2025年底前基本完成，2026年持续巩固", "每年10月31日前",
             "每季度", "每半年", "每月25日前", "长期坚持", "按国家、省统一部署", "收到通知后5个工作日内", "2025年",
             "2024年9月底前完成排查，12月底前完成整治", "2024年起每年开展一次", "立即"]
SECTIONS = ["一、健全安全生产责任体系", "二、深化重点行业领域整治", "三、强化安全风险防控", "四、夯实基层基础",
            "五、提升应急处置能力", "六、加强督导考核"]
WORK = ["开展专项排查，建立问题隐患和制度措施清单", "对照标准逐项整改，形成闭环管理", "组织专家会诊，督促企业落实主体责任",
        "完善工作机制，定期调度通报", "开展“四不两直”明查暗访", "建立健全长效机制，巩固整治成果"]


def generate(n: int, units: list[str], *, seed: int = 2024, reissue: bool = False) -> bytes:
    """A 分工表 of ``n`` task rows (plus section rows), in one sheet. ``reissue``: the same table re-issued —
    a row inserted at the top of each section, every 10th row reworded, every 50th removed."""
    from core.xlsx import Style, Workbook

    rnd = random.Random(seed)
    book = Workbook()
    ws = book.sheet("任务分工")
    wrap, head = Style(text_wrap=True, border=1), Style(bold=True, align="center", border=1)
    ws.merge(0, 0, 0, 6, "2024—2026年安全生产治本攻坚三年行动任务分工表", Style(bold=True, font_size=14))
    for c, h in enumerate(["序号", "重点任务", "具体工作", "责任单位", "", "完成时限", "备注"]):
        if h:
            ws.write(1, c, h, head)
    ws.merge(1, 3, 1, 4, "责任单位", head)
    for c in (0, 1, 2, 5, 6):
        ws.merge(1, c, 2, c, ["序号", "重点任务", "具体工作", "", "", "完成时限", "备注"][c], head)
    ws.write(2, 3, "牵头单位", head)
    ws.write(2, 4, "配合单位", head)
    r = 3
    per_section = -(-n // len(SECTIONS))
    written = 0
    for s, section in enumerate(SECTIONS):
        ws.merge(r, 0, r, 6, section, head)
        r += 1
        rows = min(per_section, n - written)
        numbers = list(range(1, rows + 1))
        if reissue:
            numbers = [0, *[i for i in numbers if i % 50]]  # one new row first, every 50th dropped
        for k, i in enumerate(numbers, start=1):
            lead = rnd.choice(units)
            coop = "、".join(rnd.sample(units, 2)) if i % 3 else ""
            note = "（牵头）" if i % 7 == 0 else ""
            task = f"{section[2:]}第{i}项重点任务" if i else f"{section[2:]}新增任务"
            work = f"{WORK[i % len(WORK)]}（{s + 1}-{i}）" + ("，并于年底前报送总结" if reissue and i % 10 == 0 else "")
            ws.write_row(r, [str(k), task, work, lead + note, coop, DEADLINES[i % len(DEADLINES)],
                             "" if i % 4 else "按季度报送进展"], wrap)
            r += 1
        written += rows
    return book.getvalue()


LAST: dict[str, float] = {}  # the wall time of the last measured step


def measure(label: str, fn: Any) -> Any:
    """Run ``fn``, print its wall time and the SQL statements it sent (counted, not logged: no cap)."""
    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - start) * 1000
    print(f"  {label:<28} {ms:>9.0f} ms  {count:>6} SQL")
    LAST["ms"] = ms
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    created_db = False
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        created_db = True
    call_command("migrate", verbosity=0)

    from campaigns import services, tasktable
    from campaigns.choices import PlanKind
    from campaigns.models import Milestone, Task
    from core.audit import Source, audit_context
    from orgs.models import Jurisdiction, Unit
    from tests.personas import build_world

    world = build_world()
    office = world.user("office")
    with audit_context(source=Source.COMMAND):
        campaign = services.campaign_create(
            actor=None, name="治本攻坚三年行动（基准）", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31),
            office_unit=Unit.objects.get(name="市安委办"), jurisdiction=Jurisdiction.objects.get(code="430381"))
        plan = services.plan_save(actor=None, campaign=campaign, kind=PlanKind.MASTER, code="master",
                                  title="任务分工表", short_name="分工表", sort=0)
    units = list(Unit.objects.filter(kind__in=("department", "township")).exclude(collective=True)
                 .values_list("name", flat=True)) + ["各乡镇（街道）"]
    params = {"plan": plan.pk, "year": 2024}
    from django.urls import reverse

    reverse("campaigns:my_tasks")  # the URL map loads once per process (a server's is warm); not the import's cost
    print(f"数据库：{connection.vendor}；{args.rows} 行任务，{len(units)} 个单位写法")
    from core.models import ChangeEvent

    seq_before = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for label, data in (("首次导入（空方案）", generate(args.rows, units)),
                        ("再次导入（插入、改写、删除）", generate(args.rows, units, reissue=True))):
        print(f"{label}：文件 {len(data) / 1024:.0f} KB")
        with audit_context(source=Source.IMPORT, actor=office):
            read = measure("预览：读取与列映射", lambda d=data: tasktable.IMPORTER.plan(io.BytesIO(d), actor=office,
                                                                               params=params))
            preview = measure("预览：as_dict", read.as_dict)
            review = measure("预览：单位与差异审阅", lambda r=read: tasktable.IMPORTER.review(r, actor=office,
                                                                                 params=params))
            outcome = measure("提交：导入（全部或全不）", lambda d=data: tasktable.IMPORTER.run(
                actor=office, file=io.BytesIO(d), params=params))
        sheet = next(s for s in preview["sheets"] if s["table"])
        kept = [c["header"] for c in sheet["columns"] if c["kept"]]
        dropped = [c["header"] for c in sheet["columns"] if not c["kept"]]
        counts = (review or {}).get("counts") or {}
        print(f"  保留列 {'、'.join(kept)}；不保留 {'、'.join(dropped) or '无'}；表头行 {sheet['header_rows']}")
        print(f"  审阅 {dict(counts) or '无'}；结果 ok={outcome.ok} 新增 {outcome.created} "
              f"更新 {outcome.updated}；错误 {len(outcome.errors)}")
        assert outcome.ok, outcome.errors[:5]
        tm, commit = outcome.timings, LAST["ms"] / 1000
        print(f"  提交分段：读取 {tm.get('read', 0):.2f} 秒，校验 {tm.get('validate', 0):.2f} 秒，"
              f"写入 {tm.get('write', 0):.2f} 秒")
        if connection.vendor == "postgresql" and outcome.created and not outcome.updated:
            tasks = f"plan_id = {plan.pk}"
            raw, rows = raw_copy_seconds([
                ("campaigns_task", tasks),
                ("campaigns_taskunit", f"task_id IN (SELECT id FROM campaigns_task WHERE {tasks})"),
                ("campaigns_milestone", f"task_id IN (SELECT id FROM campaigns_task WHERE {tasks})"),
                ("core_changeevent", f"seq > {seq_before} AND action = 'campaigns.create' "
                                     "AND object_type = 'campaigns.task'")])
            print(f"  同一批行（任务、责任单位关联、期限节点、变更记录，共 {rows} 行）直接 COPY：{raw:.2f} 秒；"
                  f"写入阶段 / COPY = {tm.get('write', 0) / raw:.1f}，提交 / COPY = {commit / raw:.1f}")
            # The commit is the whole import: read, validate and write (the preview's steps are not counted).
            print(f"GOAL import_ratio {commit / raw:.1f}× ≤3× {'ok' if commit / raw <= 3 else 'MISSED'}")
    print(f"任务 {Task.objects.filter(plan=plan).count()}，期限节点 {Milestone.objects.filter(task__plan=plan).count()}")
    if created_db:
        connection.close()
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
