from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("企业信用")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.choices import Role
        from core.dashboard import register_card, register_panel
        from core.navigation import register_nav
        from credit import exposure, tasks  # noqa: F401  (tasks registers the periodic collectors)
        from credit.cards import credit_card
        from credit.cockpit import credit_panel

        register_nav(_("信用"), "credit:list", order=59, roles=(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP,
                                                                Role.INSPECTOR))
        register_card("credit", "credit/_home_card.html", credit_card, order=47)
        register_panel("credit", credit_panel, order=70)
        exposure.register()
