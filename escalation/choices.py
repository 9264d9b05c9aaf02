from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

# Who opens the 督办台 and the escalation records (the sweep's digests link there; others get their home page).
BOARD_ROLES = (Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)


class Action(models.TextChoices):
    REMINDER = "reminder", _("提醒")
    CIRCULAR = "circular", _("通报")
    TALK = "talk", _("约谈")
    WARNING = "warning", _("警示")
    EXPOSURE = "exposure", _("曝光")
    LISTED = "listed", _("挂牌督办")
    ACCOUNTABILITY = "accountability", _("问责")


class RecordStatus(models.TextChoices):
    APPLIED = "applied", _("已执行")
    PROPOSED = "proposed", _("待决定")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("不予执行")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结待销号")
    CLOSED = "closed", _("已销号")


class ItemEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("交办")
    EDITED = "edited", _("修改")
    EXTENDED = "extended", _("延期")
    DONE = "done", _("报告办结")
    RETURNED = "returned", _("退回")
    CLOSED = "closed", _("销号")
