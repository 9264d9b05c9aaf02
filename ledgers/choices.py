from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EquipmentKind(models.TextChoices):
    BOILER = "boiler", _("锅炉")
    PRESSURE_VESSEL = "vessel", _("压力容器")
    PRESSURE_PIPING = "piping", _("压力管道")
    ELEVATOR = "elevator", _("电梯")
    CRANE = "crane", _("起重机械")
    VEHICLE = "vehicle", _("场（厂）内专用机动车辆")
    AMUSEMENT = "amusement", _("大型游乐设施")
    ROPEWAY = "ropeway", _("客运索道")


class EquipmentStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("停用")
    SCRAPPED = "scrapped", _("报废")


class OperationType(models.TextChoices):
    ELECTRICAL = "electrical", _("电工作业")
    WELDING = "welding", _("焊接与热切割作业")
    HEIGHT = "height", _("高处作业")
    REFRIGERATION = "refrigeration", _("制冷与空调作业")
    COAL_MINE = "coal_mine", _("煤矿安全作业")
    METAL_MINE = "metal_mine", _("金属非金属矿山安全作业")
    OIL_GAS = "oil_gas", _("石油天然气安全作业")
    METALLURGY = "metallurgy", _("冶金（有色）生产安全作业")
    CHEMICALS = "chemicals", _("危险化学品安全作业")
    FIREWORKS = "fireworks", _("烟花爆竹安全作业")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备作业")
    OTHER = "other", _("其他")


class PermitKind(models.TextChoices):
    HOT_WORK = "hot_work", _("动火作业")
    CONFINED_SPACE = "confined", _("受限空间作业")
    LIFTING = "lifting", _("吊装作业")
    HEIGHT = "height", _("高处作业")
    EXCAVATION = "excavation", _("动土（破土）作业")
    TEMPORARY_POWER = "temp_power", _("临时用电作业")
    BLIND_PLATE = "blind_plate", _("盲板抽堵作业")
    ROAD_CLOSURE = "road_closure", _("断路作业")


class PermitStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    CHECKED = "checked", _("措施已确认")
    APPROVED = "approved", _("已批准")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已作废")


class TrainingKind(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人培训")
    MANAGER = "manager", _("安全管理人员培训")
    INDUCTION = "induction", _("三级安全教育")
    ALL_STAFF = "all_staff", _("全员安全培训")
    SPECIAL = "special", _("特种作业人员培训")
    OTHER = "other", _("其他")


class PlanLevel(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合应急预案")
    SPECIAL = "special", _("专项应急预案")
    ONSITE = "onsite", _("现场处置方案")


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("桌面演练")
    FIELD = "field", _("实战演练")


class Frequency(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Duty(models.TextChoices):
    """The principal's 十个一次 (seed: 落实企业安全生产主体责任专项实施方案)."""

    INSPECT = "inspect", _("带队检查一次安全生产工作")
    STUDY = "study", _("主持研究一次安全生产工作")
    COMMEND = "commend", _("主持召开一次安全生产总结表彰会")
    REVIEW = "review", _("主持召开一次安全生产工作讲评会")
    REPORT = "report", _("向职代会做一次安全生产工作述职")
    RESPONSIBILITY = "responsibility", _("组织签订一次全员岗位安全生产责任书（员工承诺书）")
    LECTURE = "lecture", _("给员工上一次安全生产辅导课")
    CONTEST = "contest", _("组织一次安全生产知识技能竞赛")
    DRILL = "drill", _("参加一次安全生产应急救援演练")
    TRAINING = "training", _("参加一次安全生产知识技能培训")


DUTY_FREQUENCY: dict[str, str] = {
    Duty.INSPECT: Frequency.MONTH,
    Duty.STUDY: Frequency.QUARTER,
    **{d: Frequency.YEAR for d in (Duty.COMMEND, Duty.REVIEW, Duty.REPORT, Duty.RESPONSIBILITY, Duty.LECTURE,
                                    Duty.CONTEST, Duty.DRILL, Duty.TRAINING)},
}
