from hazards.views.detail import (
    hazard_attach,
    hazard_create,
    hazard_detail,
    hazard_edit,
    hazard_plan,
    hazard_transition,
)
from hazards.views.lists import HazardListView, board, clearance, dashboard, figure_cards
from hazards.views.stats import stats_detail, stats_home, stats_notice
from hazards.views.supervision import (
    circular_detail,
    circular_list,
    supervision_create,
    supervision_notice,
    supervision_record,
    supervision_sheet,
)

__all__ = ["HazardListView", "board", "circular_detail", "circular_list", "clearance", "dashboard", "figure_cards", "hazard_attach",
           "hazard_create", "hazard_detail", "hazard_edit", "hazard_plan", "hazard_transition", "stats_detail",
           "stats_home", "stats_notice", "supervision_create", "supervision_notice", "supervision_record",
           "supervision_sheet"]
