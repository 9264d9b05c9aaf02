"""Risk API: risk points (list, detail, create + assess through the services), 风险报告 (list, detail,
acknowledge) and the regulator's map data (enterprises with coordinates and overall grade)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission, IdField
from core.filters import query_id
from enterprises.models import Enterprise, EnterpriseDomain
from orgs.models import Jurisdiction
from risk import services
from risk.choices import GRADE_COLOUR, AccidentType, ControlLevel, Grade, Method, PointKind
from risk.filters import RiskPointFilter, RiskReportFilter
from risk.models import ControlMeasure, RiskPoint, RiskReport
from risk.selectors import RANK_GRADE, annotate_overall, annotate_points, classes_for

MAP_LIMIT = 5000


class RiskControlMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ControlMeasure
        fields = ["id", "kind", "level", "content", "responsible"]


class RiskPointSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    measures = RiskControlMeasureSerializer(many=True, read_only=True)
    open_hazard = serializers.BooleanField(read_only=True)
    hazard_factors = serializers.ListField(child=serializers.CharField(), required=False)
    accident_types = serializers.ListField(child=serializers.ChoiceField(choices=AccidentType.choices), required=False)
    value = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = RiskPoint
        fields = ["id", "enterprise", "enterprise_name", "kind", "name", "location", "department", "team",
                  "description", "hazard_factors", "accident_types", "method", "score_l", "score_e", "score_c",
                  "score_s", "value", "grade", "direct_major", "direct_reason", "control_level", "responsible",
                  "review_date", "plan_geometry", "measures", "open_hazard", "updated_at"]
        read_only_fields = ["method", "score_l", "score_e", "score_c", "score_s", "grade", "direct_major",
                            "direct_reason", "plan_geometry", "updated_at"]


class RiskPointCreateSerializer(serializers.Serializer):
    enterprise = IdField()
    kind = serializers.ChoiceField(choices=PointKind.choices)
    name = serializers.CharField(max_length=120)
    location = serializers.CharField(max_length=200, required=False, default="")
    hazard_factors = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    accident_types = serializers.ListField(child=serializers.ChoiceField(choices=AccidentType.choices),
                                           required=False, default=list)
    control_level = serializers.ChoiceField(choices=ControlLevel.choices, required=False, default="")
    responsible = serializers.CharField(max_length=60, required=False, default="")
    method = serializers.ChoiceField(choices=Method.choices)
    inputs = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    direct_major = serializers.BooleanField(required=False, default=False)
    direct_reason = serializers.CharField(max_length=300, required=False, default="")


class RiskAssessInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.choices)
    inputs = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    direct_major = serializers.BooleanField(required=False, default=False)
    direct_reason = serializers.CharField(max_length=300, required=False, default="")
    reason = serializers.CharField(max_length=300, required=False, default="")


class RiskPointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """风险点（企业只见本企业；监管部门、乡镇按属地和行业范围；范围外返回 404）。"""

    serializer_class = RiskPointSerializer
    filterset_class = RiskPointFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (annotate_points(RiskPoint.objects.visible_to(self.request.user).active())
                .select_related("enterprise")
                .prefetch_related(Prefetch("measures", ControlMeasure.objects.order_by("kind", "pk")))
                .order_by("enterprise_id", "pk"))

    @extend_schema(request=RiskPointCreateSerializer, responses={201: RiskPointSerializer})
    def create(self, request: Request) -> Response:
        data = RiskPointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        enterprise = Enterprise.objects.visible_to(request.user).filter(pk=d.pop("enterprise")).first()
        if enterprise is None:
            raise serializers.ValidationError({"enterprise": ["未找到该企业。"]})
        assess = {k: d.pop(k) for k in ("method", "inputs", "direct_major", "direct_reason")}
        with transaction.atomic():
            point = services.risk_point_create(actor=request.user, enterprise=enterprise, **d)
            services.risk_point_assess(actor=request.user, risk_point=point, **assess)
        return Response(self.get_serializer(self.get_queryset().get(pk=point.pk)).data, status=201)

    @extend_schema(request=RiskAssessInputSerializer, responses=RiskPointSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str | None = None) -> Response:
        point = self.get_object()
        data = RiskAssessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.risk_point_assess(actor=request.user, risk_point=point, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=point.pk)).data)


class RiskReportSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    changes = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))

    class Meta:
        model = RiskReport
        fields = ["id", "enterprise", "enterprise_name", "version", "overall_grade", "changes", "note", "status",
                  "submitted_at", "acknowledged_at", "acknowledge_note"]
        read_only_fields = fields


class RiskAcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class RiskReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """风险报告：企业每次报告的清单快照及与上一版相比的变化；监管部门签收。"""

    serializer_class = RiskReportSerializer
    filterset_class = RiskReportFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (RiskReport.objects.visible_to(self.request.user).select_related("enterprise").defer("snapshot")
                .order_by("-submitted_at", "-pk"))

    @extend_schema(request=RiskAcknowledgeSerializer, responses=RiskReportSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = RiskAcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_acknowledge(actor=request.user, report=report, note=data.validated_data["note"])
        return Response(self.get_serializer(report).data)


class RiskMapItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    jurisdiction = serializers.CharField()
    longitude = serializers.FloatField()
    latitude = serializers.FloatField()
    grade = serializers.ChoiceField(choices=Grade.choices, allow_null=True)
    grade_label = serializers.CharField()
    colour = serializers.CharField()
    klass = serializers.CharField()
    red_open_hazard = serializers.BooleanField()
    url = serializers.CharField()


class RiskMapSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    without_coordinates = serializers.IntegerField()
    truncated = serializers.BooleanField()
    items = RiskMapItemSerializer(many=True)


class RiskMapViewSet(viewsets.ViewSet):
    """四色图数据：范围内企业的坐标和企业风险等级（可按行业领域、属地筛选）。"""

    permission_classes = [BusinessRolePermission]

    @extend_schema(responses=RiskMapSerializer, parameters=[
        OpenApiParameter("domain", int, description="行业领域 id"),
        OpenApiParameter("jurisdiction", int, description="属地 id（含下级）"),
        OpenApiParameter("grade", str, description="red / orange / yellow / blue")])
    @action(detail=False, methods=["get"], url_path="data")
    def data(self, request: Request) -> Response:
        from django.urls import reverse

        qs = annotate_overall(Enterprise.objects.visible_to(request.user)).select_related("jurisdiction")
        domain = query_id(request, "domain")
        if domain is not None:
            qs = qs.filter(pk__in=EnterpriseDomain.objects.filter(domain_id=domain).values("enterprise_id"))
        jur = query_id(request, "jurisdiction")
        if jur is not None:
            j = Jurisdiction.objects.filter(pk=jur).first()
            qs = qs.filter(jurisdiction_path__startswith=j.path) if j else qs.none()
        grade = request.query_params.get("grade")
        if grade in Grade.values:
            from risk.choices import GRADE_RANK

            qs = qs.filter(risk_rank=GRADE_RANK[grade])
        located = qs.filter(longitude__isnull=False, latitude__isnull=False)
        without = qs.filter(Q(longitude__isnull=True) | Q(latitude__isnull=True)).count()
        rows = list(located.order_by("-risk_rank", "pk")[:MAP_LIMIT + 1])
        truncated = len(rows) > MAP_LIMIT
        rows = rows[:MAP_LIMIT]
        classes = classes_for(rows, viewer=request.user)
        items: list[dict[str, Any]] = []
        for e in rows:
            g = RANK_GRADE.get(e.risk_rank or 0)
            items.append({"id": e.pk, "name": e.name, "jurisdiction": e.jurisdiction.name,
                          "longitude": float(e.longitude), "latitude": float(e.latitude), "grade": g,
                          "grade_label": str(Grade(g).label) if g else "尚未评估",
                          "colour": GRADE_COLOUR.get(g or "", "#9e9e9e"), "klass": classes[e.pk].label,
                          "red_open_hazard": e.red_open_hazard, "url": reverse("risk:enterprise", args=[e.pk])})
        return Response({"count": len(items), "without_coordinates": without, "truncated": truncated,
                         "items": items})


def register(router: DefaultRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("risk/points", RiskPointViewSet, basename="risk-point")
    router.register("risk/reports", RiskReportViewSet, basename="risk-report")
    router.register("risk/map", RiskMapViewSet, basename="risk-map")
