from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccidentsConfig(AppConfig):
    name = "accidents"
    verbose_name = _("生产安全事故")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accidents import deadline_sources, doc_templates
        from accidents.cards import accident_card
        from accidents.importer import IMPORTER
        from core.bootstrap import register_loader
        from core.dashboard import register_card
        from core.imports import register_importer
        from core.navigation import register_nav

        register_nav(_("事故"), "accidents:list", order=57, roles=())
        register_card("accidents", "accidents/_home_card.html", accident_card, order=25)
        register_importer(IMPORTER)
        register_loader("load_demo_accidents", order=960, demo_only=True)
        doc_templates.register()
        deadline_sources.register()
        from accidents.cockpit import accident_panel
        from core.dashboard import register_panel

        register_panel("accidents", accident_panel, template="accidents/_cockpit_panel.html", order=60)
