"""The enforcement panel of the cockpit: this year's inspections by origin and penalty decisions, counted from what
the viewer sees (the office over its territory, a department its own), each a link to the filtered list.

Counted directly, no maintained count: inspections and penalty cases are few by nature (thousands a year in a
county, each one an officer's visit), so the year's aggregate over the scope stays small at province size; a daily
rollup like ``checks.rollup`` is what it would take if they were not (bench/README.md, "Dashboards at province
size")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.dashboard import Figure
from enforcement.choices import InspectionOrigin
from enforcement.models import Case, Inspection


def enforcement_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_role(Role.OFFICE, Role.REGULATOR):
        return None
    year = timezone.localdate().year
    agg = Inspection.objects.visible_to(user).filter(started_at__year=year).aggregate(
        n=Count("pk"), random=Count("pk", filter=Q(origin=InspectionOrigin.DRAW)),
        key=Count("pk", filter=Q(origin=InspectionOrigin.PLAN)),
        complaint=Count("pk", filter=Q(origin=InspectionOrigin.COMPLAINT)),
        unannounced=Count("pk", filter=Q(unannounced=True)))
    cases = Case.objects.visible_to(user).filter(decided_on__year=year, withdrawn_at__isnull=True).aggregate(
        n=Count("pk"), fines=Sum("fine_amount"), confiscated=Sum("confiscation_amount"))
    amount = (cases["fines"] or Decimal(0)) + (cases["confiscated"] or Decimal(0))
    inspections, decided = reverse("enforcement:inspections"), reverse("enforcement:cases")

    def link(**query: str) -> str:
        return f"{inspections}?{urlencode({'started': str(year), **query})}"

    penalties = f"{decided}?{urlencode({'decided': str(year)})}"
    return {"title": _("%(y)s年执法检查与行政处罚") % {"y": year}, "figures": [
        Figure(_("检查户次"), agg["n"], link(), key="inspections"),
        Figure(_("双随机抽查"), agg["random"], link(origin=InspectionOrigin.DRAW), key="random"),
        Figure(_("重点检查"), agg["key"], link(origin=InspectionOrigin.PLAN), key="key"),
        Figure(_("据举报检查"), agg["complaint"], link(origin=InspectionOrigin.COMPLAINT), key="complaint"),
        Figure(_("四不两直"), agg["unannounced"], link(unannounced="true"), key="unannounced"),
        Figure(_("处罚决定"), cases["n"], penalties, "danger", key="penalties"),
        Figure(_("罚没金额（万元）"), f"{amount / 10000:.2f}", penalties, key="amount"),
    ]}
