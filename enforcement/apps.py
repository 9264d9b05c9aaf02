from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法检查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.imports import register_importer
        from core.navigation import register_nav
        from enforcement import deadline_sources, doc_templates
        from enforcement.plans import IMPORTER

        register_nav(_("执法检查"), "enforcement:home", order=55, roles=())
        register_importer(IMPORTER)
        doc_templates.register()
        deadline_sources.register()
