"""Choices of the accidents module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccidentType(models.TextChoices):
    """GB 6441-1986《企业职工伤亡事故分类》: the 20 categories of 事故类别 (第5条)."""

    STRUCK = "struck", _("物体打击")
    VEHICLE = "vehicle", _("车辆伤害")
    MACHINERY = "machinery", _("机械伤害")
    LIFTING = "lifting", _("起重伤害")
    ELECTRIC = "electric", _("触电")
    DROWNING = "drowning", _("淹溺")
    SCALD = "scald", _("灼烫")
    FIRE = "fire", _("火灾")
    FALL = "fall", _("高处坠落")
    COLLAPSE = "collapse", _("坍塌")
    ROOF_FALL = "roof_fall", _("冒顶片帮")
    INRUSH = "inrush", _("透水")
    BLASTING = "blasting", _("放炮")
    EXPLOSIVE = "explosive", _("火药爆炸")
    GAS = "gas", _("瓦斯爆炸")
    BOILER = "boiler", _("锅炉爆炸")
    VESSEL = "vessel", _("容器爆炸")
    OTHER_EXPLOSION = "other_expl", _("其他爆炸")
    POISONING = "poisoning", _("中毒和窒息")
    OTHER = "other", _("其他伤害")


class Grade(models.TextChoices):
    """《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条."""

    GENERAL = "general", _("一般事故")
    LARGER = "larger", _("较大事故")
    MAJOR = "major", _("重大事故")
    GRAVE = "grave", _("特别重大事故")


GRADE_ORDER = {Grade.GENERAL: 0, Grade.LARGER: 1, Grade.MAJOR: 2, Grade.GRAVE: 3}


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    INVESTIGATING = "investigating", _("调查中")
    REPORTED = "reported", _("调查报告已提交")
    CLOSED = "closed", _("已批复结案")
    EVALUATED = "evaluated", _("整改评估完成")


class PartyKind(models.TextChoices):
    PERSON = "person", _("个人")
    UNIT = "unit", _("单位")


class WarningRange(models.TextChoices):
    """火灾事故分级分类预警的公开范围 (seed, 消防安全专项整治方案 三.3)."""

    LOCAL = "local", _("事故发生地范围")
    CITY = "city", _("全市范围")
    PROVINCE = "province", _("全省范围")


class AttachmentRole(models.TextChoices):
    REPORT = "report", _("事故调查报告")
    EVALUATION = "evaluation", _("整改评估报告")
