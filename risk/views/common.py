from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from core.scoping import get_visible_or_404
from enterprises.models import Enterprise
from risk.models import ControlMeasure, RiskPoint
from risk.selectors import annotate_points, grade_rank_expr


def visible_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    return get_visible_or_404(Enterprise.objects.select_related("jurisdiction"), request.user, pk=pk)


def points_for(request: HttpRequest, enterprise: Enterprise) -> QuerySet:
    """The enterprise's active points as the user may see them, most severe first, ready for display."""
    return (annotate_points(RiskPoint.objects.visible_to(request.user).active().filter(enterprise=enterprise))
            .annotate(rank=grade_rank_expr())
            .prefetch_related(Prefetch("measures", ControlMeasure.objects.order_by("kind", "pk")))
            .order_by("-rank", "pk"))


