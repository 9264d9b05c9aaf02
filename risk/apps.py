from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("安全风险分级管控")

    def ready(self) -> None:
        from core.bootstrap import register_loader
        from core.navigation import register_nav

        register_nav(_("风险管控"), "risk:home", order=40, roles=())
        register_loader("load_risk_schemes", order=60)
        register_loader("load_demo_risk", order=960, demo_only=True)
        from core.history import register_value_labels
        from risk import doc_templates
        from risk.choices import accident_labels, hazard_factor_labels

        register_value_labels("risk.riskpoint", "hazard_factors", hazard_factor_labels)
        register_value_labels("risk.riskpoint", "accident_types", accident_labels)

        doc_templates.register()
