from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    OFFICIAL = "official", _("国务院安排")
    MANUAL = "manual", _("手工维护")


class YearStatus(models.TextChoices):
    OFFICIAL = "official", _("已有国务院安排")
    FALLBACK = "fallback", _("暂无安排（按周末计算）")
