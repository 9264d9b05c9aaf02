from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    name = "tips"
    verbose_name = _("举报")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.choices import Role
        from core.dashboard import register_card
        from core.navigation import register_nav
        from tips import deadline_sources, exposure, tasks  # noqa: F401  (tasks registers the periodic prune)
        from tips.cards import tip_card

        register_nav(_("举报"), "tips:list", order=58, roles=(Role.OFFICE, Role.TOWNSHIP, Role.REGULATOR,
                                                              Role.INSPECTOR))
        register_card("tips", "tips/_home_card.html", tip_card, order=45)
        deadline_sources.register()
        exposure.register()
        from core.dashboard import register_panel
        from tips.cockpit import tip_panel

        register_panel("tips", tip_panel, order=50)
