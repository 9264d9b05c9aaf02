from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from core.dashboard import register_card
        from core.navigation import register_nav
        from ledgers.cards import expiring_card

        register_card("ledgers.expiring", "ledgers/_home_card.html", expiring_card, order=25)

        register_nav(_("台账"), "ledgers:index", order=25, roles=())
        register_nav(_("到期提醒"), "ledgers:expiring", order=26, roles=())
        from core.imports import register_importer
        from ledgers import custom_import, importer

        register_importer(importer.IMPORTER)
        register_importer(custom_import.IMPORTER)
        from ledgers import deadline_sources

        deadline_sources.register()
