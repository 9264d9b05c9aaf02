"""Demo accidents built through the services (``manage.py load_demo_accidents``): this month and the same month of
the three years before, so the 事故警示通报 has history, a fire, and one accident without an enterprise."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accidents import services
from accidents.choices import AccidentType, PartyKind
from accidents.models import Accident
from accounts.models import User
from orgs.models import Domain, Jurisdiction

MARK = "【演示】"


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


def load_demo_accidents() -> list[str]:
    if Accident.objects.filter(summary__startswith=MARK).exists():
        return ["演示事故已存在，跳过。"]
    users = {u.username: u for u in User.objects.filter(username__in=["anweiban", "qiye"])
             .select_related("unit", "enterprise")}
    if set(users) != {"anweiban", "qiye"} or users["qiye"].enterprise is None:
        return ["缺少演示账号 anweiban、qiye，无法加载演示事故（请先运行 load_demo）。"]
    office, enterprise = users["anweiban"], users["qiye"].enterprise
    today = timezone.localdate()
    day = min(today.day, 28)
    lines = []
    for back, deaths, kind in ((0, 1, AccidentType.MACHINERY), (1, 0, AccidentType.FALL), (2, 2, AccidentType.LIFTING),
                               (3, 1, AccidentType.STRUCK)):
        when = _at(today.year - back, today.month, max(1, day - 1 if back == 0 else day))
        if when > timezone.now():
            when = timezone.now() - dt.timedelta(hours=1)
        accident = services.accident_register(
            actor=office, occurred_at=when, accident_type=kind, enterprise=enterprise, deaths=deaths, injuries=1,
            direct_loss="35", summary=f"{MARK}{enterprise.name}作业人员违章作业发生{kind.label}事故。",
            typical=back == 0)
        lines.append(f"{accident.number} {accident.get_grade_display()}")
    place = Jurisdiction.objects.filter(level="township").order_by("path").first()
    if place is not None:
        fire = services.accident_register(
            actor=office, occurred_at=timezone.now() - dt.timedelta(days=2), accident_type=AccidentType.FIRE,
            jurisdiction=place, domain=Domain.objects.get(code="D3"), address=f"{place.name}某村民房",
            business_premises=False, summary=f"{MARK}村民房电动自行车室内充电起火。")
        services.accident_transition(actor=office, accident=fire, action="investigate")
        services.finding_add(actor=office, accident=fire, kind=PartyKind.PERSON, name="李四明", position="房主",
                             responsibility="违规在室内为电动自行车充电")
        lines.append(f"{fire.number} 火灾")
    return lines
