from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from accounts.choices import GOVERNMENT_ROLES, Role
        from core.dashboard import register_card
        from hazards.cards import department_hazard_card, hazard_card

        # A township reads its territory's overdue hazards first; a department what awaits its acceptance.
        register_card("hazards", "hazards/_home_card.html", hazard_card, order=20,
                      role_orders={Role.TOWNSHIP: -20, Role.OFFICE: -17, Role.REGULATOR: -15})
        register_card("hazards.department", "hazards/_home_department.html", department_hazard_card, order=20,
                      role_orders={Role.REGULATOR: -20})
        from core.bootstrap import register_loader
        from core.navigation import register_nav

        register_nav(_("隐患"), "hazards:list", order=30, roles=())
        register_nav(_("重大隐患"), "hazards:board", order=31, roles=GOVERNMENT_ROLES)
        register_loader("load_supervision_templates", order=50)
        register_loader("load_demo_hazards", order=950, demo_only=True)
        from hazards import deadline_sources, tasks  # noqa: F401  (tasks registers the periodic 通报)

        deadline_sources.register()
        from core.dashboard import register_panel
        from hazards.cockpit import hazard_panel

        register_panel("hazards", hazard_panel, order=10)
