"""Demo data for the checks app (``manage.py load_demo_checks``, demo only, idempotent): a grid member of 东山社区,
two shops there, a 一班三检 list the office published, the first demo enterprise's shift check and its risk
points' measure plans, and today's due checks."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from checks import services
from checks.choices import CheckerLevel, Frequency, ItemType, PremisesKind
from checks.models import Checklist, CheckPlan, Premises
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit

GRID_USER = "wangge"
SHIFT_LIST = "演示：班组一班三检检查表"
SHIFT_ITEMS = ["设备安全防护装置齐全完好", "作业场所安全通道畅通、无杂物堆放", "灭火器压力正常、在有效期内",
               "作业人员按规定佩戴劳动防护用品"]


@transaction.atomic
def load_demo_checks() -> list[str]:
    from accounts import services as account_services
    from orgs import services as org_services

    lines: list[str] = []
    community = Jurisdiction.objects.filter(name="东山社区").first()
    township_unit = Unit.objects.filter(name="东山街道").first()
    office = User.objects.filter(username="anweiban").first()
    worker = User.objects.filter(username="qiye").select_related("enterprise").first()
    if community is None or township_unit is None or office is None or worker is None:
        return ["演示排查数据：缺少组织机构或演示账号，已跳过。"]
    grid = org_services.unit_save(actor=None, name="东山社区网格", kind=UnitKind.VILLAGE, jurisdiction=community,
                                  parent=township_unit, synthetic=True)
    user = User.objects.filter(username=GRID_USER).first()
    if user is None:
        from demo.management.commands.load_demo import DEMO_PASSWORD

        user = account_services.user_create(actor=None, username=GRID_USER, password=DEMO_PASSWORD, full_name="网格员小许",
                                            unit=grid, must_change_password=False)
        account_services.role_grant(actor=None, user=user, role=Role.TOWNSHIP)
        lines.append(f"演示网格员账号 {GRID_USER}（东山社区网格）。")
    fire = Domain.objects.get(code="D3")
    for name, address in (("东山社区示例便利店", "东山社区东山路12号"), ("东山社区示例小吃店", "东山社区东山路15号")):
        if not Premises.objects.filter(name=name).exists():
            services.premises_create(actor=user, name=name, address=address, jurisdiction=community, domain=fire,
                                     kind=PremisesKind.SHOP_HOME, operator="（演示）")
    checklist = Checklist.objects.filter(title=SHIFT_LIST, enterprise__isnull=True).first()
    if checklist is None:
        checklist = services.checklist_publish(actor=office, title=SHIFT_LIST, version="2026",
                                               domains=list(worker.enterprise.domains.all()))
        for text in SHIFT_ITEMS:
            services.item_save(actor=office, checklist=checklist, text=text, item_type=ItemType.YES_NO)
    today = timezone.localdate()
    if not CheckPlan.objects.filter(checklist=checklist, enterprise=worker.enterprise).exists():
        services.plan_create(actor=worker, checklist=checklist, frequency=Frequency.SHIFT,
                             checker_level=CheckerLevel.TEAM, starts_on=today, enterprise=worker.enterprise,
                             title="一班三检（演示）", responsible="陈安全")
        count, _skipped = services.risk_plans_sync_enterprise(actor=None, enterprise=worker.enterprise, today=today)
        lines.append(f"演示排查计划：一班三检 1 个，风险点管控措施 {count} 个。")
    n = services.generate_due(today=today, days=2)
    lines.append(f"演示应检任务：新增 {n} 条。")
    return lines
