"""Choices of the enterprise registry."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# (model field, label) for the risk flags regulators filter on (两重点一重大 and the special operations).
RISK_FLAGS: list[tuple[str, str]] = [
    ("flag_hazardous_process", _("重点监管危险化工工艺")),
    ("flag_hazardous_chemicals", _("重点监管危险化学品")),
    ("flag_major_hazard", _("重大危险源")),
    ("flag_dust_explosion", _("粉尘涉爆")),
    ("flag_ammonia_refrigeration", _("涉氨制冷")),
    ("flag_confined_space", _("有限空间作业")),
    ("flag_metallurgy", _("金属冶炼")),
    ("flag_non_coal_mine", _("非煤矿山")),
    ("flag_crowded_place", _("人员密集场所")),
    ("flag_high_rise", _("高层建筑")),
]
RISK_FLAG_FIELDS = [name for name, _label in RISK_FLAGS]


class LicenceKind(models.TextChoices):
    SAFETY = "safety", _("安全生产许可证")
    HC_OPERATION = "hc_operation", _("危险化学品经营许可证")
    HC_USE = "hc_use", _("危险化学品安全使用许可证")
    HC_REGISTRATION = "hc_registration", _("危险化学品登记证")
    FIREWORKS = "fireworks", _("烟花爆竹经营许可证")
    PRECURSOR = "precursor", _("非药品类易制毒化学品经营备案证明")
    MINING = "mining", _("采矿许可证")
    GAS = "gas", _("燃气经营许可证")
    FIRE = "fire", _("公众聚集场所投入使用、营业前消防安全检查合格证")
    OTHER = "other", _("其他")
