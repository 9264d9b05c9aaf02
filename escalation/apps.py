from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("提醒与督办")

    def ready(self) -> None:
        from accounts.choices import Role
        from core.dashboard import register_card
        from escalation.cards import board_card, due_card, my_supervision_card

        register_card("escalation", "escalation/_home_card.html", due_card, order=10,
                      role_orders={Role.OFFICE: -18, Role.TOWNSHIP: -18, Role.REGULATOR: -16})
        register_card("escalation.board", "escalation/_home_board.html", board_card, order=10,
                      role_orders={Role.OFFICE: -19})
        register_card("escalation.mine", "escalation/_home_mine.html", my_supervision_card, order=10,
                      role_orders={Role.TOWNSHIP: -19, Role.REGULATOR: -17})
        from core.bootstrap import register_loader
        from core.navigation import register_nav
        from escalation import deadline_sources, tasks  # noqa: F401  (tasks registers the periodic sweep)

        deadline_sources.register()
        from escalation import keys

        keys.connect()  # records' copies of their items' scope keys follow the items
        from core.pickers import register_picker
        from escalation.filters import BOARD_UNIT_KINDS
        from orgs.models import Unit

        # The 督办台's unit filter: asked for as one types once a province's units are more than a select can hold.
        register_picker("board_units", Unit, search=lambda qs, text: qs.filter(name__icontains=text),
                        order=("kind", "sort", "name"), directory=True,
                        narrow=lambda qs: qs.filter(kind__in=BOARD_UNIT_KINDS, collective=False, active=True))
        register_loader("load_escalation_defaults", order=30)
        register_nav(_("督办台"), "escalation:board", order=80,
                     roles=(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR))
