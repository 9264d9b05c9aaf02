from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("专项整治")

    def ready(self) -> None:
        from accounts.choices import GOVERNMENT_ROLES, Role
        from campaigns.cards import campaign_card, office_campaign_card, unit_tasks_card
        from core.dashboard import register_card

        register_card("campaigns", "campaigns/_home_card.html", campaign_card, order=30)
        # Each role's own work first (issue 14): the office its campaign, a township or a department its parts.
        register_card("campaigns.office", "campaigns/_home_office.html", office_campaign_card, order=30,
                      role_orders={Role.OFFICE: -20})
        register_card("campaigns.unit_tasks", "campaigns/_home_unit_tasks.html", unit_tasks_card, order=30,
                      role_orders={Role.TOWNSHIP: -17, Role.REGULATOR: -19})
        from core.bootstrap import register_loader
        from core.navigation import register_nav

        register_loader("load_seed_campaign", order=40)
        register_nav(_("专项整治"), "campaigns:list", order=40, roles=(*GOVERNMENT_ROLES, Role.ENTERPRISE))
        register_nav(_("我的任务"), "campaigns:my_tasks", order=41, roles=(*GOVERNMENT_ROLES, Role.ENTERPRISE))

        from campaigns import deadline_sources, tasks  # noqa: F401  (tasks registers the periodic reminders)

        deadline_sources.register()
        from campaigns.tasktable import IMPORTER
        from core.imports import register_importer

        register_importer(IMPORTER)
        from campaigns.goal_import import IMPORTER as GOAL_IMPORTER

        register_importer(GOAL_IMPORTER)
        from campaigns import doc_templates

        doc_templates.register()
        from campaigns.cockpit import campaign_panel
        from core.dashboard import register_panel

        register_panel("campaigns", campaign_panel, order=20, width="col-12")
