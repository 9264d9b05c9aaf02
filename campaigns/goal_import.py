"""目标指标 by .xlsx for any campaign: one row a goal, its plan named by code, short name or plan type; a target
written as a number (75%以上, 不少于20个, 清零) becomes a measurable indicator, anything else is kept as written.
A row whose goal text already exists in that plan updates it (re-importing a corrected file adds nothing twice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import goals as goal_services
from campaigns import services
from campaigns.deadline_phrases import DeadlineError
from campaigns.lifecycle import require_writable
from campaigns.models import Campaign, Goal, Plan
from campaigns.targets import parse_target
from core.imports import Importer, Row, Run
from core.spreadsheet import Column, text_up_to

HEADERS = {"plan": "方案", "text": "目标", "metric": "指标", "target": "目标值", "deadline": "完成期限", "ref": "对应任务"}
COLUMNS = [
    Column(HEADERS["plan"], "plan", required=True, parse=text_up_to(200),
           help="方案代码、简称或方案类别名称", synonyms=("所属方案", "方案代码", "行动", "专项行动"),
           keywords=("方案", "行动")),
    Column(HEADERS["text"], "text", required=True, parse=text_up_to(5000), width=40,
           synonyms=("目标内容", "工作目标", "目标任务"), keywords=("目标",)),
    Column(HEADERS["metric"], "metric", parse=text_up_to(200), synonyms=("指标名称", "考核指标"), keywords=("指标",)),
    Column(HEADERS["target"], "target", parse=text_up_to(120), help="如：100%、不少于20个、清零",
           synonyms=("目标值", "指标值", "目标要求"), keywords=("目标值", "数值")),
    Column(HEADERS["deadline"], "deadline", parse=text_up_to(120), synonyms=("期限", "完成时限", "完成时间"),
           keywords=("期限", "时限", "时间")),
    Column(HEADERS["ref"], "ref", parse=text_up_to(40), synonyms=("任务编号", "对应清单"), keywords=("对应",)),
]


@dataclass
class GoalRow:
    line: int
    plan: Plan
    values: dict[str, Any]


def _campaign(params: dict[str, Any]) -> Campaign:
    return Campaign.objects.get(pk=params["campaign"])


class GoalImporter(Importer):
    key = "campaign_goals"
    empty_message = gettext_lazy("表头下没有目标行。")

    def columns(self, params: dict[str, Any]) -> list[Column]:
        return COLUMNS

    def title(self, params: dict[str, Any]) -> str:
        return _("导入目标指标：%(c)s") % {"c": _campaign(params).name}

    def upload_url(self, params: dict[str, Any]) -> str:
        return reverse("campaigns:goal_import", args=[params["campaign"]])

    def done_url(self, params: dict[str, Any]) -> str:
        return reverse("campaigns:indicators", args=[params["campaign"]])

    def done_message(self, counts: Any, params: dict[str, Any]) -> str:
        return _("已导入目标指标：新增 %(c)d 项，更新 %(u)d 项。") % {"c": counts.created, "u": counts.updated}

    def mapping_context(self, actor: Any, params: dict[str, Any]) -> str | None:
        return f"campaign-goals:{params['campaign']}" if actor is not None else None

    def authorize(self, actor: Any, params: dict[str, Any]) -> None:
        campaign = _campaign(params)
        services.require_office(actor, campaign)
        require_writable(campaign)

    def prepare(self, run: Run) -> dict[str, Plan]:
        """Every name a plan of the campaign answers to: its code, short name, title and its type's name."""
        names: dict[str, Plan] = {}
        for plan in Plan.objects.filter(campaign_id=run.params["campaign"]).select_related("plan_type"):
            for name in (plan.code, plan.short_name, plan.title, getattr(plan.plan_type, "name", "")):
                if name:
                    names.setdefault(name.strip(), plan)
        return names

    def clean(self, row: Row, run: Run) -> GoalRow | None:
        v = row.values
        plan = run.ctx.get(v["plan"] or "")
        if plan is None:
            row.error(HEADERS["plan"], _("“%(p)s”不是本行动的方案（填写方案代码、简称或方案类别）") % {"p": v["plan"]})
            return None
        values: dict[str, Any] = {"text": v["text"], "metric": v.get("metric") or "", "ref": v.get("ref") or "",
                                  "target_text": v.get("target") or "", "source": "import",
                                  "comparison": "", "target_value": None, "measure_unit": ""}
        parsed = parse_target(values["target_text"])
        if parsed:
            values["comparison"], values["target_value"], values["measure_unit"] = parsed
        deadline_text = v.get("deadline") or ""
        values["deadline_text"] = deadline_text
        values["deadline"] = None
        if deadline_text:
            try:
                values["deadline"] = services.deadline_values(
                    deadline_text, default_year=plan.campaign.starts_on.year)["deadline"]
            except DeadlineError as exc:
                row.error(HEADERS["deadline"], str(exc))
                return None
        return GoalRow(row.line, plan, values)

    def write(self, items: list[GoalRow], run: Run) -> None:
        for n, item in enumerate(items, start=1):
            run.tick("write", n)
            existing = Goal.objects.filter(plan=item.plan, text=item.values["text"]).first()
            values = dict(item.values)
            if existing is None:
                values["sort"] = item.plan.goals.count() + 1
            goal_services.goal_save(actor=run.actor, plan=item.plan, goal=existing, **values)
            if existing is None:
                run.outcome.created += 1
            else:
                run.outcome.updated += 1


IMPORTER = GoalImporter()
