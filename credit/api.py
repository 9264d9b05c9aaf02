"""Credit API: events, classes, the 严重失信主体名单 and 信用修复 applications, all scoped (out of scope is 404),
writing through the same services as the pages (``credit.services``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission, ScopedPrimaryKeyRelatedField
from credit import services
from credit.choices import StandardLevel
from credit.filters import BlacklistFilter, CreditEnterpriseFilter, CreditEventFilter, RepairFilter
from credit.models import BlacklistEntry, CreditEvent, RepairApplication
from credit.selectors import annotate_credit
from enterprises.models import Enterprise
from hazards.idempotency import HEADER, idempotent

IDEMPOTENCY = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                               description="重试安全：相同的键和相同的请求内容返回第一次的结果；键相同而内容不同返回 409")
ERRORS = {400: OpenApiResponse(description="输入或业务规则不符（中文说明）"),
          403: OpenApiResponse(description="无权办理"), 404: OpenApiResponse(description="不存在或不在管辖范围内"),
          409: OpenApiResponse(description="Idempotency-Key 与先前的请求内容不一致")}


class CreditEventSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    counts = serializers.SerializerMethodField(help_text="今天是否计分（未过期、未撤销、未修复）")

    class Meta:
        model = CreditEvent
        fields = ["id", "enterprise", "enterprise_name", "kind", "points", "grounds", "level", "amount", "source_type",
                  "source_id", "occurred_on", "expires_on", "department", "recorded_at", "revoked_at",
                  "revoke_reason", "repaired_at", "counts"]
        read_only_fields = fields

    def get_counts(self, obj: CreditEvent) -> bool:
        return obj.counts_on(timezone.localdate())


class CreditEventCreateSerializer(serializers.Serializer):
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    kind = serializers.ChoiceField(choices=[("obstruction", "拒绝、阻碍监督检查"), ("standardization", "安全生产标准化达标")])
    level = serializers.ChoiceField(choices=StandardLevel.choices, required=False, allow_blank=True, default="")
    grounds = serializers.CharField(max_length=500)
    occurred_on = serializers.DateField()


class CreditClassSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="credit_score", read_only=True)
    listed = serializers.BooleanField(source="credit_listed", read_only=True, help_text="当前在严重失信主体名单中")
    klass = serializers.SerializerMethodField(help_text="a 守信 / b 一般 / c 较差 / d 严重失信")

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "score", "listed", "klass"]
        read_only_fields = fields

    def get_klass(self, obj: Enterprise) -> str:
        return obj.credit_class  # the stored class (credit.standing), the one the ``klass`` filter matches


class BlacklistSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = BlacklistEntry
        fields = ["id", "enterprise", "enterprise_name", "status", "grounds", "basis", "event", "department",
                  "department_name", "proposed_at", "statement", "listed_on", "expires_on", "removed_on",
                  "removal_reason"]
        read_only_fields = fields


class BlacklistCreateSerializer(serializers.Serializer):
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    grounds = serializers.CharField(max_length=2000)
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    event = ScopedPrimaryKeyRelatedField(queryset=CreditEvent.objects.all(), required=False, allow_null=True,
                                         default=None)


class BlacklistMoveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("decide", "认定列入"), ("drop", "不予列入"), ("remove", "移出名单")])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    statement = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    listed_on = serializers.DateField(required=False)


class RepairSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairApplication
        fields = ["id", "enterprise", "status", "events", "blacklist_entry", "rectification", "penalty_fulfilled",
                  "commitment", "submitted_at", "decided_unit", "decided_at", "decision_note"]
        read_only_fields = fields


class RepairCreateSerializer(serializers.Serializer):
    enterprise = ScopedPrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    events = ScopedPrimaryKeyRelatedField(queryset=CreditEvent.objects.all(), many=True, required=False, default=list)
    blacklist_entry = ScopedPrimaryKeyRelatedField(queryset=BlacklistEntry.objects.all(), required=False,
                                                   allow_null=True, default=None)
    rectification = serializers.CharField(max_length=2000)
    commitment = serializers.CharField(max_length=2000)
    penalty_fulfilled = serializers.BooleanField(default=False)


class RepairMoveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("approve", "同意信用修复"), ("reject", "不予修复")])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_view(create=extend_schema(request=CreditEventCreateSerializer,
                                         responses={201: CreditEventSerializer, **ERRORS}, parameters=[IDEMPOTENCY],
                                         summary="登记信用事件（拒绝、阻碍监督检查；安全生产标准化等级）"))
class CreditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """企业信用事件（范围外返回 404）。"""

    serializer_class = CreditEventSerializer
    filterset_class = CreditEventFilter
    permission_classes = [BusinessRolePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return CreditEvent.objects.visible_to(self.request.user).select_related("enterprise").order_by(
            "-occurred_on", "-pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CreditEventCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        event = services.event_register(actor=request.user, **serializer.validated_data)
        return Response(CreditEventSerializer(self.get_queryset().get(pk=event.pk)).data, status=201)


class CreditClassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """企业信用等级（由仍计分的信用事件和严重失信主体名单计算；范围外返回 404）。"""

    serializer_class = CreditClassSerializer
    filterset_class = CreditEnterpriseFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return annotate_credit(Enterprise.objects.visible_to(self.request.user), timezone.localdate()).order_by("pk")


@extend_schema_view(
    create=extend_schema(request=BlacklistCreateSerializer, responses={201: BlacklistSerializer, **ERRORS},
                         parameters=[IDEMPOTENCY], summary="提出拟列入严重失信主体名单"),
    transition=extend_schema(request=BlacklistMoveSerializer, responses={200: BlacklistSerializer, **ERRORS},
                             parameters=[IDEMPOTENCY], summary="认定列入 / 不予列入 / 移出名单"))
class BlacklistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """严重失信主体名单（范围外返回 404）。"""

    serializer_class = BlacklistSerializer
    filterset_class = BlacklistFilter
    permission_classes = [BusinessRolePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return BlacklistEntry.objects.visible_to(self.request.user).select_related("enterprise", "department").order_by(
            "-proposed_at", "-pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = BlacklistCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = services.blacklist_propose(actor=request.user, **serializer.validated_data)
        return Response(BlacklistSerializer(self.get_queryset().get(pk=entry.pk)).data, status=201)

    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def transition(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        serializer = BlacklistMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        entry = services.blacklist_transition(actor=request.user, entry=entry, action=data.pop("action"),
                                              note=data.pop("note", ""), **data)
        return Response(BlacklistSerializer(self.get_queryset().get(pk=entry.pk)).data)


@extend_schema_view(
    create=extend_schema(request=RepairCreateSerializer, responses={201: RepairSerializer, **ERRORS},
                         parameters=[IDEMPOTENCY], summary="企业申请信用修复"),
    transition=extend_schema(request=RepairMoveSerializer, responses={200: RepairSerializer, **ERRORS},
                             parameters=[IDEMPOTENCY], summary="同意或不予信用修复"))
class RepairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信用修复申请（范围外返回 404）。"""

    serializer_class = RepairSerializer
    filterset_class = RepairFilter
    permission_classes = [BusinessRolePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return RepairApplication.objects.visible_to(self.request.user).prefetch_related("events").order_by(
            "-submitted_at", "-pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RepairCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        application = services.repair_apply(actor=request.user, **serializer.validated_data)
        return Response(RepairSerializer(self.get_queryset().get(pk=application.pk)).data, status=201)

    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def transition(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        serializer = RepairMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = services.repair_transition(actor=request.user, application=application, action=data["action"],
                                                 note=data.get("note", ""))
        return Response(RepairSerializer(self.get_queryset().get(pk=application.pk)).data)



def register(router: DefaultRouter) -> None:
    router.register("credit/events", CreditEventViewSet, basename="credit-event")
    router.register("credit/classes", CreditClassViewSet, basename="credit-class")
    router.register("credit/blacklist", BlacklistViewSet, basename="credit-blacklist")
    router.register("credit/repairs", RepairViewSet, basename="credit-repair")
