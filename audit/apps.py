from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("安全审计")

    def ready(self) -> None:
        from accounts.choices import Role
        from core.navigation import register_nav

        register_nav(_("审计日志"), "audit:events", order=95, roles=(Role.AUDITADMIN,))
        from audit.cards import auditadmin_card
        from core.dashboard import register_card

        register_card("audit", "audit/_home_card.html", auditadmin_card, order=920, width="col-12")
