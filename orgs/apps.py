from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from accounts.choices import GOVERNMENT_ROLES
        from core.bootstrap import register_loader
        from core.navigation import register_nav

        register_loader("load_orgs", order=10)
        register_loader("load_boundaries", order=12)

        register_nav(_("组织机构"), "orgs:structure", order=90, roles=GOVERNMENT_ROLES)
