"""Choices of the risk app: grades, methods, kinds of risk point and of control measure, GB 6441 accident
types and GB/T 13861 hazard factors (the latter from ``risk/data/gbt13861_factors.json``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    RED = "red", _("重大风险（红）")
    ORANGE = "orange", _("较大风险（橙）")
    YELLOW = "yellow", _("一般风险（黄）")
    BLUE = "blue", _("低风险（蓝）")


# Severity as an ordinal (higher = more severe); never inferred from a label or letter (rules.md 4.1).
GRADE_RANK: dict[str, int] = {Grade.RED: 4, Grade.ORANGE: 3, Grade.YELLOW: 2, Grade.BLUE: 1}
GRADE_COLOUR: dict[str, str] = {Grade.RED: "#d7191c", Grade.ORANGE: "#f28e2b", Grade.YELLOW: "#f6d32d",
                                Grade.BLUE: "#2c7bb6"}
GRADE_SHORT: dict[str, str] = {Grade.RED: "红", Grade.ORANGE: "橙", Grade.YELLOW: "黄", Grade.BLUE: "蓝"}
# Control hierarchy usual for each grade (rules.md 4.1): the higher the risk, the higher the level.
GRADE_DEFAULT_LEVEL: dict[str, str] = {Grade.RED: "company", Grade.ORANGE: "workshop", Grade.YELLOW: "team",
                                       Grade.BLUE: "post"}


class Method(models.TextChoices):
    LEC = "lec", _("作业条件危险性分析法（LEC）")
    LS = "ls", _("风险矩阵法（LS）")
    DIRECT = "direct", _("直接判定")


class PointKind(models.TextChoices):
    AREA = "area", _("区域/场所")
    EQUIPMENT = "equipment", _("设备设施")
    OPERATION = "operation", _("作业活动")
    POST = "post", _("岗位")


class MeasureKind(models.TextChoices):
    ENGINEERING = "engineering", _("工程技术")
    MANAGEMENT = "management", _("管理")
    TRAINING = "training", _("培训教育")
    PPE = "ppe", _("个体防护")
    EMERGENCY = "emergency", _("应急处置")


class ControlLevel(models.TextChoices):
    COMPANY = "company", _("公司级")
    WORKSHOP = "workshop", _("车间级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")


class AccidentType(models.TextChoices):
    """GB 6441-1986 企业职工伤亡事故分类, the 20 types."""

    STRUCK = "struck", _("物体打击")
    VEHICLE = "vehicle", _("车辆伤害")
    MACHINERY = "machinery", _("机械伤害")
    LIFTING = "lifting", _("起重伤害")
    ELECTRIC = "electric", _("触电")
    DROWNING = "drowning", _("淹溺")
    BURN = "burn", _("灼烫")
    FIRE = "fire", _("火灾")
    FALL = "fall", _("高处坠落")
    COLLAPSE = "collapse", _("坍塌")
    ROOF = "roof", _("冒顶片帮")
    FLOOD = "flood", _("透水")
    BLASTING = "blasting", _("放炮")
    EXPLOSIVE = "explosive", _("火药爆炸")
    GAS = "gas", _("瓦斯爆炸")
    BOILER = "boiler", _("锅炉爆炸")
    VESSEL = "vessel", _("容器爆炸")
    OTHER_EXPLOSION = "other_expl", _("其它爆炸")
    POISONING = "poisoning", _("中毒和窒息")
    OTHER = "other", _("其它伤害")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已报告")
    ACKNOWLEDGED = "acknowledged", _("已签收")


class EnterpriseClass(models.TextChoices):
    """分类分级监管 class; the order is the severity (A highest), stated on every page that shows it."""

    A = "a", _("A类（重点监管）")
    B = "b", _("B类（较重点监管）")
    C = "c", _("C类（一般监管）")
    D = "d", _("D类（低风险）")


CLASS_RANK: dict[str, int] = {EnterpriseClass.A: 4, EnterpriseClass.B: 3, EnterpriseClass.C: 2,
                              EnterpriseClass.D: 1}
# Expected on-site inspections per year for each class (used by inspection planning).
CLASS_FREQUENCY: dict[str, int] = {EnterpriseClass.A: 4, EnterpriseClass.B: 2, EnterpriseClass.C: 1,
                                   EnterpriseClass.D: 1}
CLASS_FROM_GRADE: dict[str | None, str] = {Grade.RED: EnterpriseClass.A, Grade.ORANGE: EnterpriseClass.B,
                                           Grade.YELLOW: EnterpriseClass.C, Grade.BLUE: EnterpriseClass.D,
                                           None: EnterpriseClass.C}

FACTORS_FILE = Path(__file__).resolve().parent / "data" / "gbt13861_factors.json"


@lru_cache(maxsize=1)
def hazard_factor_data() -> dict:
    return json.loads(FACTORS_FILE.read_text(encoding="utf-8"))


def hazard_factor_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: the four top categories of GB/T 13861 with their second-level items."""
    return [(cat["name"], [(item["code"], item["name"]) for item in cat["items"]])
            for cat in hazard_factor_data()["categories"]]


def hazard_factor_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for cat in hazard_factor_data()["categories"]:
        for item in cat["items"]:
            out[item["code"]] = f"{cat['name']}：{item['name'].split('（')[0]}"
    return out


def accident_labels() -> dict[str, str]:
    return {value: str(label) for value, label in AccidentType.choices}
