from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法检查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.navigation import register_nav

        register_nav(_("执法检查"), "enforcement:home", order=55, roles=())
