from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("文书模板")

    def ready(self) -> None:
        from accounts.choices import Role
        from core.navigation import register_nav

        register_nav(_("文书模板"), "documents:list", order=90, roles=(Role.OFFICE, Role.REGULATOR))
