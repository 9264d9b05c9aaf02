"""互联互通: enterprises' own systems create hazards and move them through the same state machine.

Token auth (``Authorization: Token …``); an ``Idempotency-Key`` header makes a retried POST safe."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission, ScopedPrimaryKeyRelatedField
from core.uploads import attachments_for
from enterprises.models import Enterprise
from hazards import services
from hazards.choices import AttachmentRole, Category, Grade, Source, Status
from hazards.filters import HazardFilter
from hazards.idempotency import HEADER, idempotent
from hazards.models import Hazard, HazardEvent, RectificationPlan
from hazards.selectors import total_for
from orgs.models import Domain, Jurisdiction


class HazardSerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True, default=None)
    supervisor_unit_name = serializers.CharField(source="supervisor_unit.name", read_only=True, allow_null=True,
                                                 default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = ["id", "number", "enterprise", "enterprise_name", "jurisdiction", "jurisdiction_name", "domain",
                  "place", "source", "category", "description", "found_at", "location", "longitude", "latitude",
                  "criterion", "criterion_ref", "reporter", "grade", "status", "original_deadline", "deadline",
                  "supervisor_unit", "supervisor_unit_name", "report_cause", "report_analysis", "report_sent_at",
                  "applied_at", "rectified_on", "accepted_at", "closed_at", "overdue", "created_at", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, obj: Hazard) -> bool:
        return obj.is_overdue()


class HazardCreateSerializer(serializers.Serializer):
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False,
                                                    allow_null=True)
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=Jurisdiction.objects.all(), required=False,
                                                      allow_null=True)
    domain = serializers.SlugRelatedField(slug_field="code", queryset=Domain.objects.all(), required=False,
                                          allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    source = serializers.ChoiceField(choices=Source.choices)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.THING)
    description = serializers.CharField()
    found_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    criterion = serializers.CharField(required=False, allow_blank=True, default="")
    criterion_ref = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    reporter = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    deadline = serializers.DateField(required=False, allow_null=True)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, allow_null=True)
    report_cause = serializers.CharField(required=False, allow_blank=True, default="")
    report_analysis = serializers.CharField(required=False, allow_blank=True, default="")


class HazardUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    criterion = serializers.CharField(required=False, allow_blank=True)
    criterion_ref = serializers.CharField(required=False, allow_blank=True, max_length=120)
    reporter = serializers.CharField(required=False, allow_blank=True, max_length=120)
    report_cause = serializers.CharField(required=False, allow_blank=True)
    report_analysis = serializers.CharField(required=False, allow_blank=True)


class HazardTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices, help_text="目标状态；延期时与当前状态相同并给出 deadline")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="说明；退回、延期、作废时必填")
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)
    report_cause = serializers.CharField(required=False, allow_blank=True)
    report_analysis = serializers.CharField(required=False, allow_blank=True)
    result = serializers.CharField(required=False, allow_blank=True, help_text="申请验收、立查立改时的整改情况")
    rectified_on = serializers.DateField(required=False)
    deadline = serializers.DateField(required=False, help_text="延期后的整改期限")


class HazardPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationPlan
        fields = RectificationPlan.FIELDS
        extra_kwargs = {name: {"required": False} for name in RectificationPlan.FIELDS}


class HazardEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.full_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = HazardEvent
        fields = ["id", "action", "label", "from_status", "to_status", "actor", "actor_name", "actor_unit", "note",
                  "data", "at"]


class HazardFileSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=AttachmentRole.choices)
    file = serializers.FileField()


class HazardAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


IDEMPOTENCY = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                               description="重试安全：相同的键和相同的请求内容返回第一次的结果；键相同而内容不同返回 409")
CONFLICT = OpenApiResponse(description="Idempotency-Key 与先前的请求内容不一致")
ERRORS = {400: OpenApiResponse(description="输入或业务规则不符（中文说明）"),
          403: OpenApiResponse(description="无权办理"), 404: OpenApiResponse(description="不存在或不在范围内"),
          409: CONFLICT}


@extend_schema_view(
    create=extend_schema(request=HazardCreateSerializer, responses={201: HazardSerializer, **ERRORS},
                         parameters=[IDEMPOTENCY], summary="登记隐患"),
    partial_update=extend_schema(request=HazardUpdateSerializer, responses={200: HazardSerializer, **ERRORS},
                                 summary="修改隐患信息（销号、作废后不可修改）"),
)
class HazardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """事故隐患（按属地 + 行业 + 企业范围过滤；范围外返回 404）。"""

    serializer_class = HazardSerializer
    filterset_class = HazardFilter
    permission_classes = [BusinessRolePermission]
    scope_total = staticmethod(total_for)  # the unfiltered list's total (core.paging.Pagination)
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return (Hazard.objects.visible_to(self.request.user)
                .select_related("enterprise", "jurisdiction", "domain", "supervisor_unit").order_by("-found_at", "-pk"))

    def _out(self, hazard: Hazard, status: int = 200) -> Response:
        hazard = self.get_queryset().get(pk=hazard.pk)
        return Response(HazardSerializer(hazard).data, status=status)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The context carries the request, so the enterprise is looked up in the caller's scope.
        serializer = HazardCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        hazard = services.hazard_register(actor=request.user, **serializer.validated_data)
        return self._out(hazard, 201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hazard = self.get_object()
        serializer = HazardUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.hazard_update(actor=request.user, hazard=hazard, **serializer.validated_data)
        return self._out(hazard)

    @extend_schema(request=HazardTransitionSerializer, responses={200: HazardSerializer, **ERRORS},
                   parameters=[IDEMPOTENCY], summary="办理（状态流转：定级、整改、申请验收、验收、退回、延期、销号、作废、立查立改）")
    @action(detail=True, methods=["post"])
    @idempotent
    def transition(self, request: Request, pk: str | None = None) -> Response:
        hazard = self.get_object()
        serializer = HazardTransitionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        to, note = data.pop("to"), data.pop("note", "")
        hazard = services.hazard_transition(hazard=hazard, to=to, actor=request.user, note=note, **data)
        return self._out(hazard)

    @extend_schema(request=HazardPlanSerializer, responses={200: HazardPlanSerializer, **ERRORS},
                   parameters=[IDEMPOTENCY], summary="填写整改方案（五到位 / 治理方案）")
    @action(detail=True, methods=["post"])
    @idempotent
    def plan(self, request: Request, pk: str | None = None) -> Response:
        hazard = self.get_object()
        serializer = HazardPlanSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        plan = services.plan_save(actor=request.user, hazard=hazard, **serializer.validated_data)
        return Response(HazardPlanSerializer(plan).data)

    @extend_schema(request={"multipart/form-data": HazardFileSerializer},
                   responses={201: HazardAttachmentSerializer, **ERRORS}, parameters=[IDEMPOTENCY],
                   summary="上传整改前/后照片或文件（按内容校验类型和大小）")
    @action(detail=True, methods=["post"])
    @idempotent
    def files(self, request: Request, pk: str | None = None) -> Response:
        hazard = self.get_object()
        serializer = HazardFileSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        attachment = services.hazard_attach(actor=request.user, hazard=hazard, **serializer.validated_data)
        return Response(_attachment(attachment), status=201)

    @extend_schema(responses=HazardEventSerializer(many=True), summary="处理记录")
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request: Request, pk: str | None = None) -> Response:
        hazard = self.get_object()
        return Response(HazardEventSerializer(hazard.events.select_related("actor"), many=True).data)

    @extend_schema(responses=HazardAttachmentSerializer(many=True), summary="照片和文件")
    @action(detail=True, methods=["get"], url_path="attachments", pagination_class=None, filterset_class=None)
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        hazard = self.get_object()
        return Response([_attachment(a) for a in attachments_for(hazard)])


def _attachment(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "role": a.role, "original_name": a.original_name, "content_type": a.content_type,
            "size": a.size, "url": f"/files/{a.pk}/"}


def register(router: DefaultRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("hazards", HazardViewSet, basename="hazard")
