"""Annual supervision plans (安全生产法第六十二条第二款; rules.md §5.3): the .xlsx import (an importer on the one
pipeline), the export in the same layout (core/xlsx.py), and a plan derived from the enterprise classes.

Layout (龙岩市应急管理局 2025 plan, rules.md §5.3): 检查事项 | 实施依据 | 具体检查对象（含数量）| "双随机"抽查对象
（含总数及比例）| 检查内容 | 检查方式 | 检查频次和上限 | 检查时间安排 | 承办机构 | 是否属跨部门联合检查（牵头/配合部门）|
备注（重点检查、"双随机"检查）."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.imports import Importer, Row, Run
from core.spreadsheet import Column, template_bytes, text_up_to
from core.xlsx import Style, Workbook
from enforcement.choices import PlanMode
from enforcement.models import AnnualPlan, PlanRow
from enforcement.services import department_enterprises, department_of, directory_facts, settings_for
from enterprises.models import Enterprise
from orgs.models import Unit

COLUMNS = [
    Column("检查事项", "matter", required=True, width=24, parse=text_up_to(200), keywords=("事项",)),
    Column("实施依据", "basis", width=30, parse=text_up_to(2000), synonyms=("检查依据", "依据")),
    Column("具体检查对象（含数量）", "targets", width=30, parse=text_up_to(5000),
           synonyms=("重点检查对象", "检查对象"), keywords=("具体检查对象",)),
    Column("“双随机”抽查对象（含总数及比例）", "population", width=30, parse=text_up_to(300),
           synonyms=("双随机抽查对象", '"双随机"抽查对象（含总数及比例）'), keywords=("双随机",)),
    Column("检查内容", "content", width=30, parse=text_up_to(2000), synonyms=("检查内容（项目）",)),
    Column("检查方式", "method", width=14, parse=text_up_to(100)),
    Column("检查频次和上限", "frequency", width=20, parse=text_up_to(100), keywords=("频次",)),
    Column("检查时间安排", "schedule", width=16, parse=text_up_to(200), keywords=("时间",)),
    Column("承办机构", "undertaker", width=16, parse=text_up_to(200)),
    Column("是否属跨部门联合检查（牵头/配合部门）", "joint", width=20, parse=text_up_to(200), keywords=("联合",)),
    Column("备注（重点检查、“双随机”检查）", "mode", width=14, parse=text_up_to(100), synonyms=("备注", "检查类型")),
]

_NUMBER = r"(\d+(?:\.\d+)?)"


def parse_frequency(value: str) -> tuple[int, int]:
    """"1次/年/单位；上限：2次/年/单位" → (1, 2); one number → (n, n)."""
    numbers = [int(float(n)) for n in re.findall(_NUMBER, value or "")]
    if not numbers:
        return 1, 2
    frequency = numbers[0]
    cap = numbers[1] if len(numbers) > 1 else frequency
    if not 1 <= frequency <= 52 or not frequency <= cap <= 52:
        raise ValueError(_("检查频次应为每年1至52次，上限不低于频次。"))
    return frequency, cap


def parse_population(value: str) -> tuple[int | None, int | None, Decimal | None]:
    """"全市工贸企业共120家，抽查10%" → (120, None, 0.1); "共58家，抽查3家" → (58, 3, None)."""
    value = value or ""
    total = re.search(r"共\s*" + _NUMBER + r"\s*[家个户处]", value)
    ratio = re.search(_NUMBER + r"\s*[%％]", value)
    count = re.search(r"(?:抽查|抽取|检查)\s*" + _NUMBER + r"\s*[家个户处]", value)
    return (int(float(total.group(1))) if total else None, int(float(count.group(1))) if count else None,
            (Decimal(ratio.group(1)) / 100).quantize(Decimal("0.0001")) if ratio else None)


def frequency_text(row: PlanRow) -> str:
    return f"{row.frequency}次/年/单位；上限{row.cap}次/年/单位"


def population_text(row: PlanRow) -> str:
    if row.mode != PlanMode.RANDOM:
        return ""
    if row.population:
        return row.population
    parts = []
    if row.population_total is not None:
        parts.append(f"共{row.population_total}家")
    if row.draw_ratio is not None:
        parts.append(f"抽查{(row.draw_ratio * 100).normalize()}%")
    if row.draw_count is not None:
        parts.append(f"抽查{row.draw_count}家")
    return "，".join(parts)


ROW_FIELDS = ["matter", "basis", "mode", "targets", "population", "population_total", "draw_count", "draw_ratio",
              "content", "method", "frequency", "cap", "schedule", "undertaker", "joint"]


@transaction.atomic
def plan_replace(*, actor: Any, year: int, rows: list[dict[str, Any]], title: str = "") -> AnnualPlan:
    """Write a department's plan for ``year`` (its rows replaced as a whole); named targets are linked to the
    enterprises of the department's scope whose names they list."""
    department = department_of(actor)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度无效。")})
    plan, created = AnnualPlan.objects.select_for_update().get_or_create(
        department=department, year=year,
        defaults={"title": title or f"{department.name}{year}年度安全生产监督检查计划",
                  "jurisdiction_path": department.jurisdiction_path})
    before = plan.rows.count()
    plan.rows.all().delete()
    scope = department_enterprises(department)
    for order, values in enumerate(rows, 1):
        named = values.pop("named", None)
        row = PlanRow(plan=plan, order=order, **values)
        row.save()
        if named is None and row.mode == PlanMode.KEY and row.targets:
            names = [n.strip() for n in re.split(r"[、，,；;\n]", row.targets) if n.strip()]
            named = list(scope.filter(name__in=names)) if names else []
        if named:
            row.named.set(named)
    audit.record(action="enforcement.plan_replace", obj=plan,
                 changes={"rows": [before, len(rows)], "year": [None if created else year, year]})
    return plan


def _mode(value: str, targets: str) -> str:
    if "随机" in (value or ""):
        return PlanMode.RANDOM
    if "重点" in (value or ""):
        return PlanMode.KEY
    return PlanMode.KEY if (targets or "").strip() else PlanMode.RANDOM


class PlanImporter(Importer):
    key = "enforcement_plan"
    empty_message = gettext_lazy("表格中没有检查事项。")

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def title(self, params: dict[str, Any]) -> str:
        return _("导入%(y)s年度监督检查计划") % {"y": params["year"]}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("enforcement:plan_import")

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("enforcement:plans")

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入%(y)s年度监督检查计划，共 %(n)s 项。") % {"y": params["year"], "n": counts.total}

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        try:
            department_of(actor)
        except PermissionDenied as exc:
            raise PermissionDenied(_("只有行业监管部门可以导入年度监督检查计划。")) from exc

    def clean(self, row: Row, run: Run) -> dict[str, Any] | None:
        values = row.values
        try:
            frequency, cap = parse_frequency(values.get("frequency") or "")
        except ValueError as exc:
            row.error("检查频次和上限", str(exc))
            return None
        targets = values.get("targets") or ""
        mode = _mode(values.get("mode") or "", targets)
        population = values.get("population") or ""
        total, count, ratio = parse_population(population)
        if mode == PlanMode.RANDOM and count is None and ratio is None:
            row.error("“双随机”抽查对象（含总数及比例）", _("双随机检查请写明抽查数量或比例，如“共120家，抽查10%”。"))
        if mode == PlanMode.KEY and not targets.strip():
            row.error("具体检查对象（含数量）", _("重点检查请写明具体检查对象。"))
        if ratio is not None and not Decimal(0) <= ratio <= 1:
            row.error("“双随机”抽查对象（含总数及比例）", _("抽查比例应在0至100%之间。"))
        if row.failed:
            return None
        return {"matter": values.get("matter") or "", "basis": values.get("basis") or "", "mode": mode,
                "targets": targets, "population": population, "population_total": total, "draw_count": count,
                "draw_ratio": ratio, "content": values.get("content") or "", "method": values.get("method") or "",
                "frequency": frequency, "cap": cap, "schedule": values.get("schedule") or "",
                "undertaker": values.get("undertaker") or "", "joint": values.get("joint") or ""}

    def write(self, items: list[dict[str, Any]], run: Run) -> None:
        plan_replace(actor=run.actor, year=run.params["year"], rows=items)
        run.outcome.created = len(items)


IMPORTER = PlanImporter()


def template() -> bytes:
    return template_bytes("年度监督检查计划", COLUMNS, note=_(
        "每行一个检查事项。重点检查写明具体检查对象；“双随机”检查写明对象总数及抽查比例或数量（如“共120家，抽查10%”）。"
        "检查频次和上限如“1次/年/单位；上限2次/年/单位”。整表一次导入，任何一行有误则全部不导入。"),
        rows=[["非煤矿山安全检查", "《安全生产法》第六十二条", "", "全市非煤矿山共58家，抽查10%",
               "安全生产责任制、隐患排查治理", "现场检查、查阅资料", "1次/年/单位；上限2次/年/单位", "3—11月",
               "市应急管理局", "否", "“双随机”检查"]])


def plan_xlsx(plan: AnnualPlan) -> bytes:
    """The plan in the layout it is imported in (re-importable)."""
    book = Workbook()
    ws = book.sheet(f"{plan.year}年度计划")
    title = Style(bold=True, font_size=14, align="center")
    head = Style(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    wrap = Style(text_wrap=True, border=1, valign="top")
    ws.merge(0, 0, 0, len(COLUMNS) - 1, plan.title, title)
    for j, col in enumerate(COLUMNS):
        ws.write(1, j, col.header, head)
        ws.set_column(j, j, col.width)
    for i, row in enumerate(plan.rows.all(), start=2):
        ws.write_row(i, [row.matter, row.basis, row.targets if row.mode == PlanMode.KEY else "", population_text(row),
                         row.content, row.method, frequency_text(row), row.schedule, row.undertaker, row.joint,
                         row.get_mode_display()], wrap)
    ws.freeze_panes(2, 0)
    return book.getvalue()


def derive_rows(department: Unit, year: int) -> list[dict[str, Any]]:
    """Plan rows from the enterprise classes (risk app): the department's rule per class, default A4/B2/C1/D1
    (risk.choices.CLASS_FREQUENCY). A whole number is a 重点 row naming each enterprise of the class with that
    frequency; a fraction below 1 (e.g. "0.1") is a 双随机 row drawing that share of the class. The cap is the
    department's yearly cap (never below the frequency), so no enterprise is over-inspected (执法扰民)."""
    from risk.choices import CLASS_FREQUENCY, EnterpriseClass

    dept_settings = settings_for(department)
    rule = {**{str(k): str(v) for k, v in CLASS_FREQUENCY.items()}, **(dept_settings.class_frequency or {})}
    enterprises = list(department_enterprises(department).order_by("pk")[:20000])
    by_class: dict[str, list[Enterprise]] = {}
    for start in range(0, len(enterprises), 2000):
        batch = enterprises[start:start + 2000]
        facts = directory_facts(batch, year=year, department=department)
        for e in batch:
            by_class.setdefault(facts[e.pk]["class"], []).append(e)
    rows = []
    for klass in EnterpriseClass:
        members = by_class.get(klass.value, [])
        if not members:
            continue
        value = Decimal(rule.get(klass.value, "1"))
        label = str(klass.label)
        if value >= 1:
            frequency = int(value)
            rows.append({"matter": f"{label}企业监督检查", "basis": "《安全生产法》第六十二条", "mode": PlanMode.KEY,
                         "targets": "、".join(e.name for e in members), "named": members, "population": "",
                         "population_total": None, "draw_count": None, "draw_ratio": None,
                         "content": "", "method": "现场检查、查阅资料", "frequency": frequency,
                         "cap": max(frequency, dept_settings.yearly_cap), "schedule": "全年",
                         "undertaker": department.name, "joint": ""})
        else:
            rows.append({"matter": f"{label}企业“双随机”抽查", "basis": "《安全生产法》第六十二条", "mode": PlanMode.RANDOM,
                         "targets": "", "population": "", "population_total": len(members), "draw_count": None,
                         "draw_ratio": value.quantize(Decimal("0.0001")), "content": "", "method": "现场检查、查阅资料",
                         "frequency": 1, "cap": max(1, dept_settings.yearly_cap), "schedule": "全年",
                         "undertaker": department.name, "joint": ""})
    return rows


def plan_derive(*, actor: Any, year: int) -> AnnualPlan:
    department = department_of(actor)
    rows = derive_rows(department, year)
    if not rows:
        raise ValidationError(_("本部门监管范围内还没有企业，无法按分类分级生成计划。"))
    return plan_replace(actor=actor, year=year, rows=rows)
