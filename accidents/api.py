"""Accidents API: the scoped list and detail (out of scope is 404), and registration through the same service as
the page (``services.accident_register``; the grade is computed, never sent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from accidents import services
from accidents.choices import AccidentType
from accidents.filters import AccidentFilter
from accidents.models import Accident, AccidentRevision
from core.api import BusinessRolePermission, ScopedPrimaryKeyRelatedField
from enterprises.models import Enterprise
from hazards.idempotency import HEADER, idempotent
from orgs.models import Domain, Jurisdiction


class AccidentRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccidentRevision
        fields = ["id", "at", "before", "after", "grade_before", "grade_after", "note"]
        read_only_fields = fields


class AccidentSerializer(serializers.ModelSerializer):
    domain_code = serializers.CharField(source="domain.code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True, default=None)
    revisions = AccidentRevisionSerializer(many=True, read_only=True)

    class Meta:
        model = Accident
        fields = ["id", "number", "occurred_at", "accident_type", "road_traffic", "enterprise", "enterprise_name",
                  "jurisdiction", "jurisdiction_name", "domain", "domain_code", "address", "deaths",
                  "serious_injuries", "injuries", "direct_loss", "grade", "summary", "business_premises", "notable",
                  "typical", "status", "approved_on", "evaluation_due", "evaluated_on", "revisions", "created_at"]
        read_only_fields = fields


class AccidentCreateSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    accident_type = serializers.ChoiceField(choices=AccidentType.choices, help_text="GB 6441-1986 事故类别")
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=Jurisdiction.objects.all(), required=False,
                                                      allow_null=True)
    domain = serializers.SlugRelatedField(slug_field="code", queryset=Domain.objects.all(), required=False,
                                          allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    deaths = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    serious_injuries = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    injuries = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    direct_loss = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), default=Decimal(0),
                                           help_text="直接经济损失（万元）")
    summary = serializers.CharField()
    road_traffic = serializers.BooleanField(default=False)
    business_premises = serializers.BooleanField(default=True)
    notable = serializers.BooleanField(default=False)
    typical = serializers.BooleanField(default=False)


IDEMPOTENCY = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                               description="重试安全：相同的键和相同的请求内容返回第一次的结果；键相同而内容不同返回 409")
ERRORS = {400: OpenApiResponse(description="输入或业务规则不符（中文说明）"),
          403: OpenApiResponse(description="无权办理"), 409: OpenApiResponse(description="Idempotency-Key 与先前的请求内容不一致")}


@extend_schema_view(
    create=extend_schema(request=AccidentCreateSerializer, responses={201: AccidentSerializer, **ERRORS},
                         parameters=[IDEMPOTENCY], summary="登记生产安全事故（事故等级按国务院令第493号第三条计算）"),
)
class AccidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """生产安全事故（按属地 + 行业 + 企业范围过滤；范围外返回 404）。"""

    serializer_class = AccidentSerializer
    filterset_class = AccidentFilter
    permission_classes = [BusinessRolePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return (Accident.objects.visible_to(self.request.user)
                .select_related("enterprise", "jurisdiction", "domain").prefetch_related("revisions")
                .order_by("-occurred_at", "-pk"))

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = AccidentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        accident = services.accident_register(actor=request.user, **serializer.validated_data)
        return Response(AccidentSerializer(self.get_queryset().get(pk=accident.pk)).data, status=201)


def register(router: DefaultRouter) -> None:
    router.register("accidents", AccidentViewSet, basename="accident")
