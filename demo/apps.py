from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("演示数据")

    def ready(self) -> None:
        from core.bootstrap import register_loader

        # Last: demo enterprises and accounts need everything else in place.
        register_loader("load_demo", order=900, demo_only=True)
