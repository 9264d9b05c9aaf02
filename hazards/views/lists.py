"""Lists, the major-hazard board, 动态清零 and the figures — all from ``visible_to(user)``."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.listing import ScopedListView
from core.paging import page_of
from core.permissions import business_required
from hazards.choices import OPEN_STATUSES, Grade
from hazards.filters import HazardFilter
from hazards.models import Hazard, Supervision
from hazards.selectors import FIGURE_FILTERS, clearance_tables, figures_for, total_for


def figure_links(figs: Any) -> list[dict[str, Any]]:
    def link(key: str) -> str:
        return "?" + urlencode(FIGURE_FILTERS[key]) if FIGURE_FILTERS[key] else ""

    rate = figs.rectification_rate
    on_time = figs.on_time_rate
    return [
        {"key": "rate", "label": _("整改率"), "value": "—" if rate is None else f"{rate}%",
         "detail": _("已整改 %(d)s / 共 %(t)s") % {"d": figs.done, "t": figs.total}, "query": link("done")},
        {"key": "on_time", "label": _("按期整改率"), "value": "—" if on_time is None else f"{on_time}%",
         "detail": _("按期 %(o)s / 已整改 %(d)s") % {"o": figs.on_time, "d": figs.done}, "query": link("on_time")},
        {"key": "overdue", "label": _("超期数"), "value": figs.overdue, "detail": _("未在期限内完成整改"),
         "query": link("overdue")},
        {"key": "major", "label": _("重大隐患数"), "value": figs.major,
         "detail": _("其中未销号 %(n)s") % {"n": figs.major_open}, "query": link("major")},
    ]


class HazardListView(ScopedListView):
    model = Hazard
    filterset_class = HazardFilter
    template_name = "hazards/hazard_list.html"
    sort_fields = {"found": "found_at", "deadline": "deadline", "status": "status", "number": "number"}
    default_sort = "-found"
    scope_total = staticmethod(total_for)
    export_filename = "隐患清单.xlsx"
    export_columns = [
        (_("隐患编号"), lambda h: h.number),
        (_("企业/场所"), lambda h: h.where),
        (_("属地"), lambda h: h.jurisdiction.name),
        (_("行业领域"), lambda h: str(h.domain)),
        (_("隐患描述"), lambda h: h.description),
        (_("类别"), lambda h: h.get_category_display()),
        (_("来源"), lambda h: h.get_source_display()),
        (_("等级"), lambda h: h.get_grade_display() if h.grade else _("未定级")),
        (_("状态"), lambda h: h.get_status_display()),
        (_("发现时间"), lambda h: h.found_at),
        (_("原定期限"), lambda h: h.original_deadline),
        (_("整改期限"), lambda h: h.deadline),
        (_("整改完成日期"), lambda h: h.rectified_on),
        (_("超期"), lambda h: h.is_overdue()),
        (_("监管部门"), lambda h: h.supervisor_unit.name if h.supervisor_unit_id else ""),
    ]

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise", "jurisdiction", "domain", "supervisor_unit")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        kwargs["today"] = timezone.localdate()
        kwargs["is_enterprise"] = user.has_role(Role.ENTERPRISE)
        return kwargs


@business_required
def figure_cards(request: HttpRequest) -> HttpResponse:
    """The four figures above the list, fetched by the list page once it has shown its rows (HTMX, on load): the
    list answers as fast as its rows query allows, and a filter change (the results partial) never recounts them."""
    return render(request, "hazards/_figures.html", {"figures": figure_links(figures_for(request.user))})


@business_required
def dashboard(request: HttpRequest) -> HttpResponse:
    figs = figures_for(request.user)
    tables = clearance_tables(Hazard.objects.visible_to(request.user))
    return render(request, "hazards/dashboard.html", {
        "figures": figure_links(figs), "raw": figs, "by_unit": tables["unit"][:20],
        "by_territory": tables["territory"][:30], "is_enterprise": request.user.has_role(Role.ENTERPRISE)})


@business_required
def board(request: HttpRequest) -> HttpResponse:
    """重大事故隐患看板: every open major hazard in scope, with its listing and the review countdown."""
    user = request.user
    qs = (Hazard.objects.visible_to(user).filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES)
          .select_related("enterprise", "jurisdiction", "domain", "supervisor_unit")
          .prefetch_related(Prefetch("supervisions", queryset=Supervision.objects.active()
                                     .select_related("supervising_unit"), to_attr="active_supervisions"))
          .order_by("deadline", "pk"))
    mine = request.GET.get("mine") == "1" and user.unit_id
    if mine:
        qs = qs.filter(supervisor_unit_id=user.unit_id)
    # Paged (a province's open major hazards are tens of thousands); the whole board's number from the maintained
    # counts, the unit's own counted within the cap.
    page = page_of(qs, 50, request.GET.get("page"), total=None if mine else figures_for(user).major_open)
    today = timezone.localdate()
    return render(request, "hazards/board.html", {"hazards": page.object_list, "page": page, "today": today,
                                                  "mine": mine, "has_unit": bool(user.unit_id)})


@business_required
def clearance(request: HttpRequest) -> HttpResponse:
    """动态清零: open major hazards by supervising unit and by territory; each count links to the list."""
    tables = clearance_tables(Hazard.objects.visible_to(request.user))
    return render(request, "hazards/clearance.html", {"by_unit": tables["unit"], "by_territory": tables["territory"],
                                                      "today": timezone.localdate()})
