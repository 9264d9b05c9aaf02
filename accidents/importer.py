"""Import of past accidents from .xlsx (an importer on the one pipeline), so a county loads its last three years
and the 近三年同期 bulletin has history from the first month. All or nothing, reported row by row; every row goes
through ``services.accident_register`` (grade computed, scope re-checked) with ``imported`` set."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accidents import services
from accidents.choices import AccidentType
from accidents.workflow import REGISTRARS
from core.imports import Importer, Row, Run
from core.spreadsheet import (
    Column,
    blank,
    nonblank,
    template_bytes,
    text_up_to,
    to_bool,
    to_date,
    to_decimal_text,
    to_int,
)
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction

TYPE_BY_LABEL = {str(label): value for value, label in AccidentType.choices}


def to_datetime(value: Any) -> dt.datetime | None:
    """A date, or a date and time, as the site's local time."""
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and len(value.strip()) > 10:
        text = value.strip().replace("/", "-")
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"“{value}”不是日期时间（应如 2026-05-31 14:30）")
    else:
        day = to_date(value)
        moment = dt.datetime.combine(day, dt.time(0, 0)) if day else None
    if moment is None:
        return None
    if moment.year < 1949 or moment.year > 2100:
        raise ValueError(f"“{value}”不是有效的发生时间")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def to_type(value: Any) -> str:
    text = str(value or "").strip()
    if text in TYPE_BY_LABEL:
        return TYPE_BY_LABEL[text]
    if text in AccidentType.values:
        return text
    raise ValueError(f"“{text}”不是 GB 6441-1986 的事故类别（如：物体打击、机械伤害、高处坠落、火灾……）")


COLUMNS = [
    Column("发生时间", "occurred_at", required=True, width=18, parse=nonblank(to_datetime), keywords=("时间",)),
    Column("事故类别", "accident_type", required=True, width=12, parse=to_type, synonyms=("事故类型",)),
    Column("属地", "jurisdiction", width=14, parse=text_up_to(100), synonyms=("乡镇", "乡镇（街道、园区）", "发生地")),
    Column("事故地点", "address", width=24, parse=text_up_to(255), synonyms=("地点",)),
    Column("事故单位", "enterprise", width=24, parse=text_up_to(200), synonyms=("企业名称", "单位名称")),
    Column("行业领域", "domain", required=True, width=14, parse=text_up_to(80), synonyms=("行业",)),
    Column("死亡人数", "deaths", width=8, parse=to_int, synonyms=("死亡",)),
    Column("重伤人数", "serious_injuries", width=8, parse=to_int, synonyms=("重伤",)),
    Column("轻伤人数", "injuries", width=8, parse=to_int, synonyms=("轻伤", "受伤人数")),
    Column("直接经济损失（万元）", "direct_loss", width=12, parse=to_decimal_text, keywords=("经济损失",)),
    Column("事故简要经过", "summary", required=True, width=40, parse=text_up_to(5000), synonyms=("简要经过", "事故经过")),
    Column("道路交通事故", "road_traffic", width=10, parse=to_bool),
    Column("生产经营场所", "business_premises", width=10, parse=to_bool),
    Column("典型案例", "typical", width=8, parse=to_bool),
]


class AccidentImporter(Importer):
    key = "accidents_history"
    empty_message = gettext_lazy("表格中没有事故记录。")

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def title(self, params: dict[str, Any]) -> str:
        return _("导入历史事故")

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("accidents:import")

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("accidents:list")

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入历史事故 %(n)s 起。") % {"n": counts.created}

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        from django.core.exceptions import PermissionDenied

        if actor is None or not actor.has_role(*REGISTRARS):
            raise PermissionDenied(_("只有安委办、行业监管部门和乡镇（街道、园区）可以导入事故。"))

    def prepare(self, run: Run) -> Any:
        domains = {}
        for d in Domain.objects.all():
            for key in (d.name, d.short_name, d.code):
                domains.setdefault(key, d)
        return {"domains": domains, "places": {}, "enterprises": {}}

    def _place(self, run: Run, name: str) -> list[Jurisdiction]:
        cache = run.ctx["places"]
        if name not in cache:
            cache[name] = list(Jurisdiction.objects.filter(name=name)[:2])
        return cache[name]

    def _enterprise(self, run: Run, name: str) -> list[Enterprise]:
        cache = run.ctx["enterprises"]
        if name not in cache:
            cache[name] = list(Enterprise.objects.visible_to(run.actor, grants=False)
                               .filter(Q(name=name) | Q(credit_code=name.upper()))[:2])
        return cache[name]

    def clean(self, row: Row, run: Run) -> dict[str, Any] | None:
        v = row.values
        domain = run.ctx["domains"].get(v.get("domain") or "")
        if domain is None and not row.failed:
            row.error("行业领域", _("没有名为“%(d)s”的行业领域。") % {"d": v.get("domain")})
        enterprise = None
        if v.get("enterprise"):
            found = self._enterprise(run, v["enterprise"])
            if len(found) != 1:
                row.error("事故单位", _("在您的管辖范围内找不到企业“%(e)s”（可填写企业名称或统一社会信用代码；"
                                    "无事故单位时留空并填写属地和事故地点）。") % {"e": v["enterprise"]})
            else:
                enterprise = found[0]
        jurisdiction = None
        if enterprise is None and not v.get("enterprise"):
            places = self._place(run, v.get("jurisdiction") or "")
            if not v.get("jurisdiction"):
                row.error("属地", _("没有事故单位的事故须填写属地。"))
            elif len(places) != 1:
                row.error("属地", _("找不到唯一的属地“%(p)s”。") % {"p": v["jurisdiction"]})
            else:
                jurisdiction = places[0]
        if row.failed:
            return None
        return {"line": row.line, "occurred_at": v["occurred_at"], "accident_type": v["accident_type"],
                "jurisdiction": jurisdiction, "enterprise": enterprise, "domain": domain,
                "address": v.get("address") or "", "deaths": v.get("deaths") or 0,
                "serious_injuries": v.get("serious_injuries") or 0, "injuries": v.get("injuries") or 0,
                "direct_loss": v.get("direct_loss") or "0", "summary": v["summary"],
                "road_traffic": bool(v.get("road_traffic")),
                "business_premises": True if v.get("business_premises") is None else v["business_premises"],
                "typical": bool(v.get("typical"))}

    def write(self, items: list[dict[str, Any]], run: Run) -> None:
        labels = {c.key: c.header for c in COLUMNS}
        for item in items:
            line = item.pop("line")
            with run.guard(line, label=lambda name: labels.get(name, name)):
                services.accident_register(actor=run.actor, imported=True, **item)
                run.outcome.created += 1


IMPORTER = AccidentImporter()


def template() -> bytes:
    return template_bytes("历史事故", COLUMNS, note=_(
        "每行一起事故。事故类别按 GB 6441-1986 填写（物体打击、车辆伤害、机械伤害、起重伤害、触电、淹溺、灼烫、火灾、高处坠落、"
        "坍塌、冒顶片帮、透水、放炮、火药爆炸、瓦斯爆炸、锅炉爆炸、容器爆炸、其他爆炸、中毒和窒息、其他伤害）。"
        "有事故单位的填写企业名称或统一社会信用代码；没有的填写属地和事故地点。事故等级按国务院令第493号第三条自动计算。"
        "整表一次导入，任何一行有误则全部不导入。"),
        rows=[["2024-05-12 14:30", "机械伤害", "东山街道", "东山街道测试路1号", "", "工贸行业", "1", "0", "2", "150", "作业人员清理设备时被卷入。",
               "否", "是", "否"]])
