"""Synthetic demo enterprises, one demo login per role and a living county (``demo.living``: a campaign running now,
work in every state, dated from today; data in ``demo/data/``). Idempotent.

Never run this on a production database: every demo account shares a published password."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services as account_services
from accounts.choices import Role
from accounts.models import User
from core.audit import Source, audit_context
from enterprises import services as enterprise_services
from enterprises.credit_code import make_credit_code
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction, Unit

DATA = Path(__file__).resolve().parents[2] / "data" / "enterprises.json"
DEMO_PASSWORD = "Anzhi@2026"

# username, full name, unit name, enterprise index (into the data file) or None, roles
DEMO_USERS: list[tuple[str, str, str | None, int | None, list[str]]] = [
    ("anweiban", "王安委", "市安委办", None, [Role.OFFICE]),
    ("yingji", "李应急", "市应急管理局", None, [Role.REGULATOR]),
    ("xiaofang", "赵消防", "市消防救援大队", None, [Role.REGULATOR]),
    ("zhujian", "孙住建", "市住房城乡建设局", None, [Role.REGULATOR]),
    ("dongshan", "周东山", "东山街道", None, [Role.TOWNSHIP]),
    ("shanzao", "吴山枣", "山枣镇", None, [Role.TOWNSHIP]),
    ("jingkaiqu", "郑经开", "经开区管委会", None, [Role.TOWNSHIP]),
    ("qiye", "陈安全", None, 0, [Role.ENTERPRISE]),
    ("qiye2", "杨主任", None, 11, [Role.ENTERPRISE]),
    ("zhifa", "刘执法", "市应急管理局", None, [Role.INSPECTOR]),
    ("zhuanjia", "黄专家", None, None, [Role.EXPERT]),
    ("sysadmin", "系统管理员", None, None, [Role.SYSADMIN]),
    ("secadmin", "安全管理员", None, None, [Role.SECADMIN]),
    ("auditadmin", "审计管理员", None, None, [Role.AUDITADMIN]),
]


class Command(BaseCommand):
    help = "Load synthetic demo enterprises and demo accounts (one per role). Idempotent; demo only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not Jurisdiction.objects.exists():
            raise CommandError("请先运行 manage.py load_orgs 加载组织机构。")
        rows = json.loads(DATA.read_text(encoding="utf-8"))["enterprises"]
        domains = {d.code: d for d in Domain.objects.all()}
        enterprises: list[Enterprise] = []
        created = 0
        with audit_context(source=Source.COMMAND):
            for i, (name, place, codes, industry, address, employees, above) in enumerate(rows, start=1):
                code = make_credit_code(f"91430381MA4L{i:05d}")
                existing = Enterprise.objects.filter(credit_code=code).first()
                if existing is not None:
                    enterprises.append(existing)
                    continue
                jurisdiction = Jurisdiction.objects.filter(name=place).first()
                if jurisdiction is None:
                    self.stderr.write(f"无法放置演示企业“{name}”：属地“{place}”不存在")
                    continue
                enterprises.append(enterprise_services.enterprise_create(
                    actor=None, name=name, credit_code=code, jurisdiction=jurisdiction,
                    domains=[domains[c] for c in codes if c in domains], industry_code=industry, address=address,
                    employees=employees, above_scale=above, principal="（演示）", synthetic=True,
                    longitude=round(112.53 + (i % 7) * 0.021, 6), latitude=round(27.73 + (i % 5) * 0.017, 6)))
                created += 1
            users_created = 0
            for username, full_name, unit_name, ent_index, roles in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    unit = Unit.objects.get(name=unit_name) if unit_name else None
                    enterprise = enterprises[ent_index] if ent_index is not None else None
                    user = account_services.user_create(
                        actor=None, username=username, password=DEMO_PASSWORD, full_name=full_name, unit=unit,
                        enterprise=enterprise, must_change_password=False)
                    users_created += 1
                for role in roles:
                    account_services.role_grant(actor=None, user=user, role=role)
            ledger_rows = _load_demo_ledgers(enterprises)
            from campaigns.lifecycle import close_stale

            # A campaign that ended long ago (the 2020 seed, run in 2026) is history: archived, read-only, no
            # reminders or escalation ("逾期1472个工作日" no more).
            archived = close_stale()
            from demo.living import load_living_demo

            # The county as it lives now: a campaign running, work in every state, dated from today.
            living = load_living_demo(enterprises)
        self.stdout.write(f"演示数据：新增企业 {created} 家（共 {len(enterprises)} 家），新增账号 {users_created} 个，"
                          f"台账记录 {ledger_rows} 条。")
        from demo.living import report_lines

        for line in report_lines(living):
            self.stdout.write(line)
        for campaign in archived:
            self.stdout.write(f"已归档结束超过一年的专项整治行动：{campaign.name}（{campaign.ends_on}结束）。")
        if not options["quiet_logins"]:
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
            for username, _full_name, unit_name, ent_index, roles in DEMO_USERS:
                where = unit_name or (rows[ent_index][0] if ent_index is not None else "")
                labels = "、".join(str(Role(r).label) for r in roles)
                self.stdout.write(f"  {username:<11} {labels:<12} {where}")


def _load_demo_ledgers(enterprises: list[Enterprise]) -> int:
    """A few ledger rows so the demo shows something expiring: once only (skipped when any exists)."""
    import datetime as dt

    from django.utils import timezone

    from enterprises.services import enterprise_update, licence_create
    from ledgers import custom
    from ledgers import services as ledger_services
    from ledgers.models import LedgerDefinition, SpecialEquipment, WorkerCertificate

    if not enterprises or SpecialEquipment.objects.exists():
        return 0
    today = timezone.localdate()
    steel = enterprises[0]
    qiye = User.objects.filter(username="qiye").first()
    enterprise_update(actor=None, enterprise=steel, safety_manager="陈安全", safety_manager_user=qiye,
                      flag_metallurgy=True, flag_confined_space=True, flag_dust_explosion=True)
    n = 0
    licence_create(actor=None, enterprise=steel, kind="safety", number="（湘）JZ安许证字〔2023〕001", issuer="湖南省应急管理厅",
                   valid_from=today - dt.timedelta(days=3 * 365 - 20), valid_until=today + dt.timedelta(days=20))
    n += 1
    equipment = [("crane", "32吨桥式起重机", True, 12), ("boiler", "10吨燃气锅炉", True, -5),
                 ("vessel", "储气罐", False, 200), ("vehicle", "叉车", True, 90)]
    for kind, name, registered, days in equipment:
        ledger_services.row_create(actor=None, model=SpecialEquipment, enterprise=steel, kind=kind, name=name,
                                   registered=registered, registration_number="湘C-演示" if registered else "",
                                   next_inspection=today + dt.timedelta(days=days))
        n += 1
    workers = [("刘电工", "430381198001010011", "electrical", 25), ("王焊工", "430381198502020022", "welding", -10),
               ("李司索", "430381199003030033", "special_equipment", 400)]
    for person, idn, op, days in workers:
        ledger_services.row_create(actor=None, model=WorkerCertificate, enterprise=steel, person_name=person,
                                   id_number=idn, operation_type=op, certificate_number=f"T{idn}",
                                   issued_on=today - dt.timedelta(days=5 * 365), expires_on=today + dt.timedelta(days=days))
        n += 1
    if not LedgerDefinition.objects.filter(name="有限空间作业场所台账").exists():
        definition = custom.definition_save(
            actor=None, definition=None, enterprises=[steel], jurisdictions=[], name="有限空间作业场所台账",
            description="（演示）按有限空间专项整治通知，逐个登记有限空间作业场所。", target="enterprise", domain=None,
            columns=custom.parse_columns("有限空间名称|文本|必填\n类型|选项|必填|地下,地上,密闭设备\n"
                                         "警示标识|是否\n气体检测仪校验到期|日期|必填|到期\n照片|文件"),
            remind_days=30, active=True)
        custom.custom_row_save(actor=None, definition=definition, enterprise=steel, values={
            "c1": "1号污水池", "c2": "地下", "c3": True, "c4": (today + dt.timedelta(days=8)).isoformat()})
        n += 1
    return n
