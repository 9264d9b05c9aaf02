from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法检查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from campaigns.report_sections import register_report_section
        from core.imports import register_importer
        from core.navigation import register_nav
        from enforcement import deadline_sources, doc_templates, figures
        from enforcement.plans import IMPORTER

        register_nav(_("执法检查"), "enforcement:home", order=55, roles=())
        from accounts.choices import Role
        from core.dashboard import register_card
        from enforcement.cards import month_card

        register_card("enforcement.month", "enforcement/_home_month.html", month_card, order=40,
                      role_orders={Role.REGULATOR: -18, Role.INSPECTOR: -20})
        register_importer(IMPORTER)
        doc_templates.register()
        deadline_sources.register()
        register_report_section("enforcement", figures.report_section, order=50)
        from core.dashboard import register_panel
        from enforcement.cockpit import enforcement_panel

        register_panel("enforcement", enforcement_panel, order=40)
