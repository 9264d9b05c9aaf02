from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = _("隐患排查")

    def ready(self) -> None:
        from checks import tasks  # noqa: F401  (registers the nightly generation of due checks)
        from checks.cards import checks_card
        from checks.choices import Frequency
        from checks.deadline_sources import register_deadline_source
        from checks.importer import IMPORTER
        from core.bootstrap import register_loader
        from core.dashboard import register_card
        from core.history import register_value_labels
        from core.imports import register_importer
        from core.navigation import register_nav

        # Before every other card: an enterprise sees today's checks first.
        register_card("checks", "checks/_home_card.html", checks_card, order=1)
        register_nav(_("隐患排查"), "checks:home", order=29, roles=())
        register_loader("load_checklists", order=70)
        register_loader("load_demo_checks", order=970, demo_only=True)
        register_importer(IMPORTER)
        register_deadline_source()
        # A risk point's history shows the check frequency its sync chose (checks.risk_sync) by name.
        register_value_labels("risk.riskpoint", "frequency", lambda: {str(v): str(t) for v, t in Frequency.choices})
        from checks.cockpit import checks_panel
        from core.dashboard import register_panel

        register_panel("checks", checks_panel, order=30)
