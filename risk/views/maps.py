"""Four-colour maps: the enterprise's 安全风险分布图 on its site plan, and the regulator's map."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import business_required
from enterprises.models import Enterprise
from orgs.boundaries import as_feature_collection
from orgs.models import Domain, Jurisdiction
from orgs.selectors import boundaries_for
from risk import services
from risk.choices import GRADE_COLOUR, GRADE_SHORT, Grade
from risk.forms import SitePlanForm
from risk.models import SitePlan
from risk.views.common import points_for, visible_enterprise
from risk.views.points import visible_point


@business_required
def site_plan(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = visible_enterprise(request, pk)
    can_edit = services.can_edit(request.user, enterprise)
    form = SitePlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.site_plan_upload(actor=request.user, enterprise=enterprise, file=form.cleaned_data["file"])
                messages.success(request, _("已上传厂区平面图。请在图上标注各风险点的位置。"))
                return redirect("risk:site_plan", pk=enterprise.pk)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
    plan = SitePlan.objects.visible_to(request.user).filter(enterprise=enterprise).first()
    points = list(points_for(request, enterprise))
    features = [{"id": p.pk, "name": p.name, "grade": p.grade, "label": p.get_grade_display() if p.grade else "",
                 "colour": GRADE_COLOUR.get(p.grade or "", "#888888"), "geometry": p.plan_geometry,
                 "alert": bool(p.grade == Grade.RED and p.open_hazard),
                 "url": reverse("risk:point", args=[p.pk]), "place_url": reverse("risk:point_place", args=[p.pk])}
                for p in points]
    return render(request, "risk/site_plan.html", {
        "enterprise": enterprise, "plan": plan, "form": form, "can_edit": can_edit, "points": points,
        "features": features, "legend": [(g, GRADE_COLOUR[g], GRADE_SHORT[g], label) for g, label in Grade.choices],
        "image_url": reverse("core:file", args=[plan.attachment_id]) if plan and plan.attachment_id else "",
        "draw_words": draw_words() if can_edit else None,
    })


def draw_words() -> dict[str, object]:
    """Leaflet.draw's own words (``L.drawLocal``, English in the package) for the polygon tool the page offers."""
    return {"draw": {
        "toolbar": {"actions": {"title": _("取消绘制"), "text": _("取消")},
                    "finish": {"title": _("完成绘制"), "text": _("完成")},
                    "undo": {"title": _("删除最后一个点"), "text": _("删除最后一个点")},
                    "buttons": {"polygon": _("圈出风险区域（多边形）")}},
        "handlers": {"polygon": {"tooltip": {"start": _("单击开始绘制区域。"), "cont": _("单击继续绘制。"),
                                             "end": _("单击第一个点闭合区域。")}},
                     "polyline": {"error": _("区域的边不能交叉！"),
                                  "tooltip": {"start": _("单击开始绘制。"), "cont": _("单击继续绘制。"),
                                              "end": _("单击最后一个点结束。")}}}}}


@require_POST
@business_required
def point_place(request: HttpRequest, pk: int) -> JsonResponse:
    point = visible_point(request, pk)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("请求格式不正确。")}, status=400)
    try:
        point = services.placement_save(actor=request.user, risk_point=point, geometry=body.get("geometry"))
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    except PermissionDenied:
        return JsonResponse({"error": _("您不能修改该风险点。")}, status=403)
    return JsonResponse({"id": point.pk, "geometry": point.plan_geometry})


@business_required
def regulator_map(request: HttpRequest) -> HttpResponse:
    """Enterprises coloured by overall grade at their coordinates; works offline (no tiles needed)."""
    visible = Enterprise.objects.visible_to(request.user)
    jurisdictions = Jurisdiction.objects.filter(pk__in=visible.values("jurisdiction_id")).order_by("path")
    return render(request, "risk/regulator_map.html", {
        "domains": Domain.objects.all(), "jurisdictions": jurisdictions,
        "legend": [(g, GRADE_COLOUR[g], GRADE_SHORT[g], label) for g, label in Grade.choices],
        "tile_url": settings.ANZHI_MAP_TILE_URL, "tile_attribution": settings.ANZHI_MAP_TILE_ATTRIBUTION,
        "data_url": reverse("risk-map-data"),
        "boundaries": as_feature_collection(boundaries_for(request.user)),
    })
