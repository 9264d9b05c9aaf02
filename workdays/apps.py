from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from accounts.choices import Role
        from core.bootstrap import register_loader
        from core.navigation import register_nav

        register_loader("load_calendar", order=20)
        from core.imports import register_importer
        from workdays.importer import IMPORTER

        register_importer(IMPORTER)
        register_nav(_("工作日历"), "workdays:years", order=95, roles=(Role.SYSADMIN,))
