from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INFO = "info", _("通知")
    REMINDER = "reminder", _("提醒")
    OVERDUE = "overdue", _("逾期")
    ESCALATION = "escalation", _("督办")
    DECISION = "decision", _("待决定")
