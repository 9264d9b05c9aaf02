"""Benchmark: import a generated 50,000-row enterprise list and print read / validate / write timings.

Runs against a throw-away database (a temporary SQLite file unless DATABASE_URL is set, in which case a
database named <name>_bench is created and dropped). Usage:

    .venv/bin/python bench/enterprise_import.py [rows]
"""

from __future__ import annotations

import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="anzhi-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
else:
    base, _, name = os.environ["DATABASE_URL"].rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
# The benchmark measures the importer itself, beyond the ceilings a deployment sets for one upload.
os.environ.setdefault("ANZHI_IMPORT_MAX_ROWS", "1000000")
os.environ.setdefault("ANZHI_IMPORT_MAX_BYTES", str(1024 * 1024 * 1024))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import raw_copy_seconds  # noqa: E402


def generate(n: int, start: int = 1) -> bytes:
    """An .xlsx of ``n`` new enterprises numbered from ``start`` (credit codes 91430381BM + the number)."""
    import xlsxwriter

    from enterprises.credit_code import make_credit_code
    from enterprises.importer import COLUMNS
    from orgs.models import Domain, Jurisdiction

    places = list(Jurisdiction.objects.filter(level__in=("township", "subdistrict", "park"))
                  .values_list("name", flat=True))
    domains = list(Domain.objects.values_list("short_name", flat=True))
    rnd = random.Random(4754)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet("企业名录")
    for j, col in enumerate(COLUMNS):
        ws.write(0, j, col.header)
    for i in range(start, start + n):
        row = [f"湘乡市第{i}号测试企业有限公司", make_credit_code(f"91430381BM{i:07d}"), rnd.choice(places),
               "、".join(rnd.sample(domains, 1 + i % 2)), "", rnd.choice(["3110", "2614", "5265", "C", "47"]),
               f"测试路{i}号", "张三", "李四", "王五", f"0731-{i:08d}", rnd.randint(5, 3000),
               rnd.choice(["是", "否"]), round(112.4 + rnd.random() * 0.3, 6), round(27.6 + rnd.random() * 0.3, 6)]
        row += [rnd.choice(["是", "否", ""]) for _ in range(len(COLUMNS) - len(row))]
        for j, value in enumerate(row):
            ws.write(i - start + 1, j, value)
    book.close()
    return buf.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    created_db = False
    if connection.vendor == "postgresql":
        from django.db import connections

        settings_dict = connections["default"].settings_dict
        name = settings_dict["NAME"]
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        created_db = True
    call_command("migrate", verbosity=0)
    call_command("load_orgs", verbosity=0)

    from core.audit import Source, audit_context
    from enterprises.importer import import_enterprises

    t = time.perf_counter()
    data = generate(n)
    print(f"生成 {n} 行文件：{len(data) / 1e6:.1f} MB，用时 {time.perf_counter() - t:.1f} 秒")
    from core.models import ChangeEvent

    seq_before = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for label in ("首次导入（新增）", "再次导入（无变化）"):
        with audit_context(source=Source.IMPORT):
            t = time.perf_counter()
            result = import_enterprises(actor=None, file=io.BytesIO(data))
            total = time.perf_counter() - t
        assert result.ok, result.errors[:5]
        tm = result.timings
        print(f"{label}：读取 {tm['read']:.2f} 秒，校验 {tm['validate']:.2f} 秒，写入 {tm.get('write', 0):.2f} 秒，"
              f"合计 {total:.2f} 秒；新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
        if connection.vendor == "postgresql" and result.created:
            raw, rows = raw_copy_seconds([
                ("enterprises_enterprise", "true"), ("enterprises_enterprisedomain", "true"),
                ("enterprises_enterprise_departments", "true"),
                ("core_changeevent", f"seq > {seq_before} AND action = 'enterprises.create'")])
            print(f"  同一批行（企业、行业领域、监管部门关联、变更记录，共 {rows} 行）直接 COPY：{raw:.2f} 秒；"
                  f"写入阶段 / COPY = {tm.get('write', 0) / raw:.1f}，整个导入 / COPY = {total / raw:.1f}")
            for what, ratio in (("import_write_vs_copy", tm.get("write", 0) / raw), ("import_ratio", total / raw)):
                print(f"GOAL {what} {ratio:.1f}× ≤3× {'ok' if ratio <= 3 else 'MISSED'}")
    if created_db:
        connection.close()
        with connection._nodb_cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
