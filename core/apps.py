from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from core import tasks  # noqa: F401  (registers the hourly chain checkpoint)
