from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from accounts.choices import COCKPIT_ROLES, Role
        from accounts.grants import grants_for_scope
        from core.navigation import register_nav
        from core.scoping import register_grant_source

        register_grant_source(grants_for_scope)

        # The cockpit (core.dashboard panels) is for those who lead: the office, departments and townships.
        register_nav(_("领导驾驶舱"), "core:cockpit", order=5, roles=COCKPIT_ROLES)
        register_nav(_("账号管理"), "accounts:user_list", order=91, roles=(Role.SYSADMIN, Role.SECADMIN))
        register_nav(_("安全策略"), "accounts:policy", order=92, roles=(Role.SECADMIN,))
        register_nav(_("系统维护"), "admin:index", order=93, roles=(Role.SYSADMIN,))
        from accounts.cards import secadmin_card, sysadmin_card
        from core.dashboard import register_card

        register_card("accounts.sysadmin", "accounts/_home_sysadmin.html", sysadmin_card, order=900, width="col-12")
        register_card("accounts.secadmin", "accounts/_home_secadmin.html", secadmin_card, order=910, width="col-12")
