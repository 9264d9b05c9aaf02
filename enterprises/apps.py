from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("企业")

    def ready(self) -> None:
        from enterprises.models.base import register_enterprise_rows

        # Every app's models are loaded before any ready(): the enterprise rows of all apps are known now.
        register_enterprise_rows()
        from core.navigation import register_nav

        register_nav(_("企业"), "enterprises:list", order=20, roles=())
        from core.imports import register_importer
        from enterprises.importer import IMPORTER

        register_importer(IMPORTER)
        from core.pickers import register_picker
        from enterprises.models import Enterprise

        # Enterprises are many: a picker asks for them as one types (name, pinyin, initials, credit code).
        register_picker("enterprises", Enterprise, search=lambda qs, text: qs.search(text), order=("name", "pk"))
        from core.dashboard import register_card
        from enterprises.cards import enterprise_card

        # The figures of the viewer's enterprises lead the home page, across its whole width.
        register_card("enterprises", "enterprises/_home_card.html", enterprise_card, order=0, width="col-12")
