from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")
    # The inbox link with its unread badge is in templates/base.html (context processor `unread`).
