"""隐患排查 API: an enterprise's own inspection system (or the offline phone form) posts whole runs; lists of runs,
plans, due checks and checklists, each scoped by ``visible_to``.

A run is posted once with a client-generated ``uuid``: posting it again returns the stored run (200 instead of 201)
and writes nothing. An ``Idempotency-Key`` header makes any retry return the first answer byte for byte."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from checks import services
from checks.choices import Disposal, Outcome
from checks.filters import ChecklistFilter, DueFilter, PlanFilter, RunFilter
from checks.models import CheckItem, Checklist, CheckPlan, CheckRun, DueCheck, ItemResult, Premises
from core.api import BusinessRolePermission, IdField
from enterprises.models import Enterprise
from hazards.api import ERRORS, IDEMPOTENCY
from hazards.idempotency import idempotent

MAX_PHOTO_CHARS = 8 * 1024 * 1024


class CheckItemSerializer(serializers.ModelSerializer):
    to_verify = serializers.BooleanField(read_only=True)
    proposes_major = serializers.BooleanField(read_only=True)

    class Meta:
        model = CheckItem
        fields = ["id", "position", "clause", "section", "text", "item_type", "quantity", "unit", "min_value",
                  "max_value", "reference", "photo_required", "major_hazard_criterion", "evidence",
                  "clause_verified", "to_verify", "proposes_major", "on_spot_allowed"]
        read_only_fields = fields


class ChecklistSerializer(serializers.ModelSerializer):
    checker_level = serializers.CharField(read_only=True, help_text="风险管控措施检查表的检查层级；其余为空")
    domains = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "key", "version", "kind", "title", "issuer", "document_number", "effective", "domains",
                  "text_status", "enterprise", "risk_point", "checker_level", "current"]
        read_only_fields = fields


class ChecklistDetailSerializer(ChecklistSerializer):
    items = CheckItemSerializer(many=True, read_only=True)

    class Meta(ChecklistSerializer.Meta):
        fields = [*ChecklistSerializer.Meta.fields, "items"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CheckPlan
        fields = ["id", "title", "enterprise", "premises", "checklist", "risk_point", "frequency", "checker_level",
                  "responsible", "unit", "starts_on", "ends_on", "due_on", "active", "campaign", "domain"]
        read_only_fields = fields


class DueSerializer(serializers.ModelSerializer):
    class Meta:
        model = DueCheck
        fields = ["id", "plan", "enterprise", "premises", "risk_point", "period_start", "due_on", "shift", "run",
                  "done_on"]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    disposal = serializers.CharField(read_only=True, help_text="不合格项的处理：hazard 登记隐患，on_spot 立查立改；其余为空")
    on_spot_action = serializers.CharField(source="fix.action", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ItemResult
        fields = ["item", "outcome", "value", "note", "disposal", "hazard", "proposed_major", "on_spot_action"]
        read_only_fields = fields


class RunSerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    results = ResultSerializer(many=True, read_only=True)
    due = serializers.SerializerMethodField()

    class Meta:
        model = CheckRun
        fields = ["id", "uuid", "status", "checklist", "plan", "due", "enterprise", "premises", "risk_point",
                  "domain", "checker", "by_government", "place", "performed_at", "submitted_at", "longitude",
                  "latitude", "note", "items_total", "items_failed", "items_na", "hazards_created", "fixed_on_spot",
                  "results"]
        read_only_fields = fields

    def get_due(self, obj: CheckRun) -> int | None:
        due = getattr(obj, "due", None)
        return due.pk if due is not None else None


class ResultInputSerializer(serializers.Serializer):
    item = IdField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, default=Outcome.PASS)
    value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    disposal = serializers.ChoiceField(choices=[("", "—"), *Disposal.choices], required=False, default="",
                                       help_text="不合格时必填：hazard 登记隐患，on_spot 立查立改")
    fix_action = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    photos = serializers.ListField(child=serializers.CharField(max_length=MAX_PHOTO_CHARS), required=False,
                                   default=list, max_length=services.MAX_PHOTOS,
                                   help_text="现场照片，Base64（可带 data:image/...;base64, 前缀）")
    fix_photos = serializers.ListField(child=serializers.CharField(max_length=MAX_PHOTO_CHARS), required=False,
                                       default=list, max_length=services.MAX_PHOTOS, help_text="立查立改整改后照片，Base64")


class RunCreateSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="客户端生成的记录标识；同一标识重复提交返回同一条记录")
    checklist = IdField()
    enterprise = IdField(required=False, allow_null=True)
    premises = IdField(required=False, allow_null=True)
    plan = IdField(required=False, allow_null=True)
    due = IdField(required=False, allow_null=True)
    performed_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    submit = serializers.BooleanField(required=False, default=True, help_text="false 保存为草稿")
    results = ResultInputSerializer(many=True, required=False, default=list,
                                    help_text="未列出的检查项视为合格")


def _photo(data: str, n: int) -> SimpleUploadedFile:
    raw = data.split(",", 1)[1] if data.startswith("data:") and "," in data else data
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise serializers.ValidationError({"results": "照片不是有效的 Base64 数据。"}) from exc
    return SimpleUploadedFile(f"photo{n}.jpg", content)


def _get(model: Any, user: Any, pk: int | None, name: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({name: "不存在或不在您的范围内。"})
    return obj


@extend_schema_view(
    list=extend_schema(summary="检查记录列表（范围内）"),
    retrieve=extend_schema(summary="检查记录（不合格、不适用及记录了数值的项）"),
    create=extend_schema(request=RunCreateSerializer, parameters=[IDEMPOTENCY],
                         responses={201: RunSerializer, 200: OpenApiResponse(RunSerializer, "该 uuid 已提交过：返回原记录"),
                                    **ERRORS},
                         summary="提交一次完整的检查（不合格项登记隐患或立查立改）"),
)
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer
    filterset_class = RunFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (CheckRun.objects.visible_to(self.request.user).select_related("domain", "due")
                .prefetch_related("results__fix").order_by("-performed_at", "-pk"))

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        plan = _get(CheckPlan, user, data.get("plan"), "plan")
        due = _get(DueCheck, user, data.get("due"), "due")
        if due is not None and plan is None:
            plan = due.plan
        results = []
        for r in data["results"]:
            results.append(services.ResultInput(
                item=r["item"], outcome=r["outcome"], value=r.get("value"), note=r["note"], disposal=r["disposal"],
                fix_action=r["fix_action"], photos=[_photo(p, n) for n, p in enumerate(r["photos"])],
                fix_photos=[_photo(p, n) for n, p in enumerate(r["fix_photos"])]))
        try:
            run, created = services.run_record(
                actor=user, uuid=data["uuid"], checklist=_get(Checklist, user, data["checklist"], "checklist"),
                enterprise=_get(Enterprise, user, data.get("enterprise"), "enterprise"),
                premises=_get(Premises, user, data.get("premises"), "premises"), plan=plan, due=due,
                performed_at=data.get("performed_at"), place=data["place"], longitude=data.get("longitude"),
                latitude=data.get("latitude"), note=data["note"], results=results, submit=data["submit"])
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise serializers.ValidationError(detail) from exc
        return Response(RunSerializer(self.get_queryset().get(pk=run.pk)).data, status=201 if created else 200)


@extend_schema_view(list=extend_schema(summary="排查计划（范围内）"), retrieve=extend_schema(summary="排查计划"))
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return CheckPlan.objects.visible_to(self.request.user).select_related("domain").order_by("-pk")


@extend_schema_view(list=extend_schema(summary="应检任务（范围内）"), retrieve=extend_schema(summary="应检任务"))
class DueViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DueSerializer
    filterset_class = DueFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return DueCheck.objects.visible_to(self.request.user).order_by("-due_on", "shift", "-pk")


@extend_schema_view(list=extend_schema(summary="检查表库"), retrieve=extend_schema(summary="检查表及其检查项"))
class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ChecklistFilter
    permission_classes = [BusinessRolePermission]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ChecklistDetailSerializer if self.action == "retrieve" else ChecklistSerializer

    def get_queryset(self) -> QuerySet:
        qs = Checklist.objects.visible_to(self.request.user).prefetch_related("domains").order_by("kind", "key", "-pk")
        return qs.prefetch_related("items") if self.action == "retrieve" else qs


def register(router: DefaultRouter) -> None:
    router.register("checks/runs", RunViewSet, basename="checkrun")
    router.register("checks/plans", PlanViewSet, basename="checkplan")
    router.register("checks/due", DueViewSet, basename="duecheck")
    router.register("checks/checklists", ChecklistViewSet, basename="checklist")
