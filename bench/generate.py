"""Province-size benchmark data in minutes: 1,000,000 enterprises, 10,000,000 hazards, 100,000 users.

Usage (PostgreSQL only; the database is created and migrated if missing; each run tops the tables up to the sizes
asked, so it can be re-run or grown):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prov .venv/bin/python -u bench/generate.py \
        --enterprises 1000000 --hazards 10000000 --users 100000

Benchmark data, not business writes: rows go in with COPY (enterprises and their domain links, users
and their roles; generated in Python because names, pinyin keys and credit codes are) and with one server-side
``INSERT … SELECT generate_series`` per million hazards (nothing to send: the database makes the rows), without
the change log. The secondary indexes of the big tables are dropped first and built again after (a sorted build is
several times faster than maintaining 20 indexes row by row), then every maintained count is rebuilt from the rows
(``REBUILDS``) and the tables analysed. The data sit in the persona world of the tests (tests/personas.py): the
office sees everything, a township ~1/20 of it, a department its domains — so one county plays a province's volume,
which is harder than a province (every persona's scope is larger than it would be).

Prints the time of each step and the sizes of the tables.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")

from bench.common import migrated_world  # noqa: E402

# Parts of synthetic company names (a few thousand distinct names; their pinyin keys are computed once each).
NAME_A = ["东山", "山枣", "龙洞", "泉塘", "棋梓", "月山", "壶天", "翻江", "金石", "白田", "毛田", "梅桥", "虞唐", "潭市",
          "中沙", "育塅", "栗山", "金薮", "城江", "望春", "湘乡", "韶山", "涟水", "红仑", "银田", "石狮", "花石", "杨嘉"]
NAME_B = ["宏达", "恒信", "华盛", "鑫源", "金鼎", "永泰", "振兴", "远航", "瑞丰", "隆昌", "新兴", "顺达", "安泰", "明珠",
          "天成", "锦程", "兴旺", "利民", "长青", "盛世", "富强", "同心", "腾飞", "佳和"]
NAME_C = ["机械", "化工", "建材", "烟花", "冶金", "纺织", "食品", "物流", "燃气", "矿业", "建筑", "电力", "木业", "塑胶",
          "印刷", "酒店", "商贸", "仓储", "汽修", "陶瓷"]
NAME_D = ["有限公司", "有限责任公司", "股份有限公司", "厂", "经营部"]
DESCRIPTIONS = ["消防通道堵塞", "配电箱未接地", "安全出口指示灯损坏", "灭火器过期未更换", "危化品储存未分类",
                "有限空间作业未审批", "粉尘涉爆区域未清扫", "特种作业人员无证上岗", "压力容器未定期检验",
                "氨制冷机房通风不良", "高处作业未系安全带", "电气线路私拉乱接", "可燃气体报警器失效",
                "机械防护罩缺失", "员工安全培训记录不全", "应急预案未演练", "疏散楼梯堆放杂物", "动火作业无监护人",
                "货架超载", "叉车未年检"]


def _cursor() -> object:
    from django.db import connection

    return connection.cursor()


@contextmanager
def _without_indexes(table: str) -> Iterator[None]:
    """Drop the table's secondary indexes (not those behind a primary key or unique constraint), then build them
    again with a large ``maintenance_work_mem``."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                       WHERE i.tablename = %s AND NOT EXISTS (
                           SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [table])
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            for _, definition in indexes:
                cur.execute(definition)
        print(f"  {table}: {len(indexes)} indexes built again in {time.perf_counter() - start:.1f}s", flush=True)


def _step(label: str, fn: Callable[[], object]) -> None:
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {result} in {time.perf_counter() - start:.1f}s", flush=True)


def enterprises(target: int) -> str:
    from django.db import transaction
    from django.utils import timezone

    from core.bulk import copy_rows
    from core.pinyin import search_text
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Enterprise, EnterpriseDomain
    from orgs.models import Domain, Jurisdiction

    have = Enterprise.objects.count()
    if have >= target:
        return f"{have} already"
    rng = random.Random(have)
    places = list(Jurisdiction.objects.exclude(depth=0).values_list("pk", "path"))
    domains = list(Domain.objects.filter(kind="domain").values_list("pk", flat=True))
    keys: dict[str, str] = {}
    now = timezone.now()
    columns = ["id", "name", "credit_code", "jurisdiction_path", "industry_code", "address", "legal_representative",
               "principal", "phone", "employees", "above_scale", "synthetic", "search_text", "created_at",
               "updated_at", "jurisdiction_id", "flag_ammonia_refrigeration", "flag_confined_space",
               "flag_crowded_place", "flag_dust_explosion", "flag_hazardous_chemicals", "flag_hazardous_process",
               "flag_high_rise", "flag_major_hazard", "flag_metallurgy", "flag_non_coal_mine", "safety_manager",
               "credit_class"]
    with _cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM enterprises_enterprise")
        first = cur.fetchone()[0] + 1
    n = target - have
    ids = range(first, first + n)

    def rows() -> Iterator[list[object]]:
        for i in ids:
            name = (f"{rng.choice(NAME_A)}{rng.choice(NAME_B)}{rng.choice(NAME_C)}{rng.choice(NAME_D)}")
            key = keys.get(name)
            if key is None:
                key = keys[name] = search_text(name)
            place, path = rng.choice(places)
            flags = [rng.random() < 0.03 for _ in range(10)]
            yield [i, name, make_credit_code(f"91430381BG{i:07d}"), path, "C34", f"工业园{i % 997}号", "张某", "李某",
                   "13800000000", rng.randint(5, 800), rng.random() < 0.3, True, key, now, now, place, *flags, "王某",
                   Enterprise._meta.get_field("credit_class").default]  # no credit events yet: recomputed after

    with _without_indexes("enterprises_enterprise"), transaction.atomic():
        copy_rows(Enterprise, columns, rows(), prepared=True)
        with _cursor() as cur:  # the identity column follows the ids given
            cur.execute("SELECT setval(pg_get_serial_sequence('enterprises_enterprise', 'id'), %s)", [first + n])
    link_rng = random.Random(first)
    chosen = {i: link_rng.choice(domains) for i in ids}
    with transaction.atomic():
        copy_rows(EnterpriseDomain, ["enterprise_id", "domain_id"], ([i, d] for i, d in chosen.items()), prepared=True)
    return f"{n} inserted ({len(keys)} distinct names)"


def users(target: int) -> str:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import RoleGrant, User
    from core.bulk import copy_rows
    from orgs.models import Unit

    have = User.objects.count()
    if have >= target:
        return f"{have} already"
    from tests.personas import PASSWORD

    password = make_password(PASSWORD)  # one hash for all: the load test logs in as any of them
    now = timezone.now()
    with _cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        first = cur.fetchone()[0] + 1
        cur.execute("SELECT id FROM enterprises_enterprise ORDER BY id LIMIT %s", [target])
        ents = [r[0] for r in cur.fetchall()]
    units = list(Unit.objects.values_list("pk", flat=True))
    n = target - have
    # 9 in 10 are enterprise accounts (one per enterprise), the rest government staff of the units.
    plan = [(first + k, ents[k] if k % 10 and k < len(ents) else None) for k in range(n)]
    columns = ["id", "password", "username", "full_name", "phone", "email", "is_active", "must_change_password",
               "failed_logins", "date_joined", "enterprise_id", "unit_id", "session_generation", "password_changed_at"]
    with transaction.atomic():
        copy_rows(User, columns, ([pk, password, f"bench{pk}", f"基准用户{pk}", "", "", True, False, 0, now, ent,
                                   None if ent else units[pk % len(units)], 0, now] for pk, ent in plan), prepared=True)
        with _cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [first + n])
        copy_rows(RoleGrant, ["user_id", "role", "granted_at"],
                  ([pk, Role.ENTERPRISE if ent else (Role.TOWNSHIP if pk % 3 else Role.REGULATOR), now]
                   for pk, ent in plan), prepared=True)
    return f"{n} inserted"


def hazards(target: int, major_per_mille: int = 5) -> str:
    from django.db import transaction
    from django.utils import timezone


    with _cursor() as cur:
        cur.execute("SELECT count(*) FROM hazards_hazard")
        have = cur.fetchone()[0]
    if have >= target:
        return f"{have} already"
    today = timezone.localdate()
    descriptions = "ARRAY[" + ", ".join(f"'{d}'" for d in DESCRIPTIONS) + "]"
    # Independent draws per column (hashes of the row number, made non-negative): no column follows another or the
    # list order (an earlier version derived them from the row number directly, which made the newest days hold no
    # hazard with some words, so a search walking the list order read far more rows than on real data).
    draws = ", ".join(f"hashint8(g * 7 + {k})::bigint + 2147483648 AS {name}"
                      for k, name in enumerate("dmsftl", start=1))
    with _without_indexes("hazards_hazard"), transaction.atomic(), _cursor() as cur:
        # Bench rows whose keys come from existing rows: skip the deferred foreign-key checks at commit (they took
        # longer than the inserts).
        cur.execute("SET LOCAL session_replication_role = replica")
        # Enterprises numbered 0..n-1 with their place and one domain: the hazards are spread over them.
        cur.execute("""CREATE TEMP TABLE bench_ent ON COMMIT DROP AS
                       SELECT (row_number() OVER (ORDER BY e.id)) - 1 AS rn, e.id, e.jurisdiction_id,
                              e.jurisdiction_path, min(d.domain_id) AS domain_id
                       FROM enterprises_enterprise e JOIN enterprises_enterprisedomain d ON d.enterprise_id = e.id
                       GROUP BY e.id""")
        cur.execute("CREATE UNIQUE INDEX ON bench_ent (rn)")
        cur.execute("SELECT count(*) FROM bench_ent")
        (ents,) = cur.fetchone()
        step = 1_000_000
        for lo in range(have, target, step):
            hi = min(lo + step, target)
            start = time.perf_counter()
            # status: 1/8 registered, 2/8 rectifying, 1/8 applied, 4/8 closed; major hazards per mille as asked;
            # deadlines ±60 days; found 0–400 days ago at any second.
            cur.execute(f"""
                INSERT INTO hazards_hazard (number, jurisdiction_path, place, source, reporter, found_at, location,
                    description, category, criterion, criterion_ref, grade, status, original_deadline, deadline,
                    report_cause, report_analysis, rectified_on, closed_at, regulation_version, created_at, updated_at,
                    domain_id, enterprise_id, jurisdiction_id)
                SELECT 'B' || lpad(g::text, 9, '0'), e.jurisdiction_path, '', 'self', '', f.found, '车间',
                       ({descriptions})[1 + h.d %% {len(DESCRIPTIONS)}] || '（' || (g %% 9973) || '号位置）',
                       'thing', '', '', CASE WHEN h.m %% 1000 < %s THEN 'major' ELSE 'general' END, s.status,
                       f.deadline, f.deadline, '', '',
                       CASE WHEN s.status = 'closed' THEN f.deadline END,
                       CASE WHEN s.status = 'closed' THEN f.found + interval '20 days' END,
                       '', f.found, f.found, e.domain_id, e.id, e.jurisdiction_id
                FROM generate_series(%s::bigint, %s::bigint) g
                -- Independent draws per column (hashes of the row number): no column follows another or the list order.
                CROSS JOIN LATERAL (SELECT {draws}) h
                JOIN bench_ent e ON e.rn = (g * 7919) %% %s
                CROSS JOIN LATERAL (SELECT (ARRAY['registered', 'rectifying', 'rectifying', 'applied', 'closed',
                                                  'closed', 'closed', 'closed'])[1 + h.s %% 8] AS status) s
                CROSS JOIN LATERAL (SELECT now() - (h.f %% 400) * interval '1 day'
                                                 - (h.t %% 86400) * interval '1 second' AS found,
                                           %s::date + (h.l %% 121 - 60)::int AS deadline) f""",
                        [major_per_mille, lo + 1, hi, ents, today])
            print(f"  hazards {lo + 1:,}–{hi:,} in {time.perf_counter() - start:.1f}s", flush=True)
    return f"{target - have} inserted"


def directory(jurisdictions: int, units: int) -> str:
    """A province's directory around the county: ``jurisdictions`` villages and communities under its townships
    (a province has tens of thousands) and ``units`` departments (without domains, so no scope changes), so that
    every page offering a territory or a unit to pick carries a province's directory."""
    from django.db import transaction

    from core.bulk import copy_rows
    from orgs.choices import UnitKind
    from orgs.models import Jurisdiction, Unit

    made = []
    have = Jurisdiction.objects.filter(code__startswith="BENCH").count()
    if have < jurisdictions:
        parents = list(Jurisdiction.objects.filter(depth=1).values_list("pk", "path"))
        with _cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('orgs_jurisdiction', 'id')) "
                        "FROM generate_series(1, %s)", [jurisdictions - have])
            ids = [r[0] for r in cur.fetchall()]
        rows = []
        for n, pk in enumerate(ids, start=have):
            parent, path = parents[n % len(parents)]
            rows.append([pk, f"第{n}村", f"BENCH{n:07d}", "village", parent, f"{path}{pk}/", 2, True, n])
        with transaction.atomic():
            copy_rows(Jurisdiction, ["id", "name", "code", "level", "parent_id", "path", "depth", "synthetic", "sort"],
                      rows, prepared=True)
        made.append(f"{len(rows)} villages")
    have = Unit.objects.filter(name__startswith="基准部门").count()
    if have < units:
        root = Jurisdiction.objects.get(depth=0)
        with transaction.atomic():
            copy_rows(Unit, ["name", "kind", "jurisdiction_id", "jurisdiction_path", "collective", "synthetic", "active",
                             "sort"],
                      ([f"基准部门{n:05d}", UnitKind.DEPARTMENT, root.pk, root.path, False, True, True, 1000 + n]
                       for n in range(have, units)), prepared=True)
        made.append(f"{units - have} departments")
    return ", ".join(made) or "already"


def _rebuild_hazards() -> object:
    from hazards.tally import rebuild

    return rebuild()


def _command(name: str) -> Callable[[], object]:
    def run() -> object:
        from django.core.management import call_command

        call_command(name, verbosity=0)
        return "done"

    return run


# Maintained counts to recount after bulk rows, in this order: (label, function). Each is idempotent.
REBUILDS: list[tuple[str, Callable[[], object]]] = [
    ("hazard tallies", _rebuild_hazards),
    ("credit classes", _command("recompute_credit_classes")),  # before the enterprise tally, which keys on them
    ("enterprise tallies", _command("rebuild_enterprise_tallies")),
    ("deadline counts", _command("count_due")),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--hazards", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=30_000, help="villages added under the townships")
    parser.add_argument("--units", type=int, default=3_000, help="departments added (without domains)")
    parser.add_argument("--major-per-mille", type=int, default=5, help="major hazards per 1,000 (default 0.5 %%)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/generate.py needs DATABASE_URL=postgres://…")
    started = time.perf_counter()
    _step("world (migrate, personas)", lambda: f"{len(migrated_world().users)} personas")
    _step("enterprises", lambda: enterprises(args.enterprises))
    _step("users", lambda: users(args.users))
    _step("hazards", lambda: hazards(args.hazards, args.major_per_mille))
    _step("directory", lambda: directory(args.jurisdictions, args.units))
    for label, rebuild in REBUILDS:
        _step(f"rebuild {label}", rebuild)
    with _cursor() as cur:
        start = time.perf_counter()
        # VACUUM as autovacuum would after a load this size: it sets the visibility map, without which no count
        # is an index-only scan (a township's capped count walks 10,000 heap pages instead of index entries).
        cur.execute("VACUUM (ANALYZE)")
        print(f"vacuum, analyze: {time.perf_counter() - start:.1f}s")
        cur.execute("""SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))
                       FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 8""")
        for name, rows, size in cur.fetchall():
            print(f"  {name:<40} {rows:>12,} rows  {size}")
    print(f"total: {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
