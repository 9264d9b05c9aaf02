"""Enforcement API (scoped by ``visible_to``; out of scope is 404): the 抽查事项清单, the 执法检查人员名录库, draws
with their commitment and result, inspections with their findings and checklist results (read-only), and one
write: checklist results posted under a client uuid (``checklists.checklist_record``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from checks.choices import Outcome
from core.api import BusinessRolePermission, IdField
from enforcement import checklists
from enforcement.filters import DrawFilter, InspectionFilter
from enforcement.models import (
    ChecklistResult,
    Draw,
    Finding,
    Inspection,
    InspectionChecklist,
    InspectionMatter,
    Inspector,
)


class InspectionMatterSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = InspectionMatter
        fields = ["id", "department", "department_name", "name", "basis", "subject", "content", "method",
                  "category", "domain", "public"]
        read_only_fields = fields


class InspectorSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "department", "department_name", "name", "cert_number", "cert_valid_until", "active"]
        read_only_fields = fields


class DrawTargetSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    id = serializers.CharField()
    stratum = serializers.CharField(allow_null=True)
    inspectors = serializers.ListField(child=serializers.CharField())


class DrawSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    targets = serializers.SerializerMethodField()
    shortfall = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = ["id", "department", "department_name", "title", "status", "population_size", "parameters",
                  "commitment", "commitment_document", "public_source", "witness_name", "seed", "committed_at",
                  "drawn_at", "targets", "shortfall"]
        read_only_fields = fields

    @extend_schema_field(DrawTargetSerializer(many=True))
    def get_targets(self, draw: Draw) -> list[dict[str, Any]]:
        return list(DrawTargetSerializer((draw.result or {}).get("targets", []), many=True).data)

    def get_shortfall(self, draw: Draw) -> list[str]:
        return list((draw.result or {}).get("shortfall", []))


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "order", "text", "basis", "result", "deadline", "hazard", "checklist_item_ref"]
        read_only_fields = fields


class ChecklistResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistResult
        fields = ["item", "outcome", "note", "finding"]
        read_only_fields = fields


class InspectionChecklistSerializer(serializers.ModelSerializer):
    results = ChecklistResultSerializer(many=True, read_only=True)
    checklist_title = serializers.CharField(source="checklist.title", read_only=True)

    class Meta:
        model = InspectionChecklist
        fields = ["id", "checklist", "checklist_title", "uuid", "items_checked", "items_failed", "items_na",
                  "submitted_at", "results"]
        read_only_fields = fields


class ChecklistAnswerInSerializer(serializers.Serializer):
    item = IdField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ChecklistRecordInSerializer(serializers.Serializer):
    """The items of a library checklist marked on an inspection; items not listed stay 未检查."""

    uuid = serializers.UUIDField(help_text="客户端生成；同一 uuid 重复提交只记录一次")
    checklist = IdField()
    results = ChecklistAnswerInSerializer(many=True, allow_empty=False, max_length=500)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class InspectionSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    checklists = InspectionChecklistSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "department", "enterprise", "premises", "target_name", "origin", "draw", "status",
                  "planned_date", "started_at", "finished_at", "signer", "refused_to_sign", "review_due", "findings",
                  "checklists"]
        read_only_fields = fields


class InspectionMatterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """抽查事项清单（本部门及安委办可见）。"""

    serializer_class = InspectionMatterSerializer
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return InspectionMatter.objects.visible_to(self.request.user).select_related("department").order_by("pk")


class InspectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """执法检查人员名录库（本部门及安委办可见）。"""

    serializer_class = InspectorSerializer
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return Inspector.objects.visible_to(self.request.user).select_related("department").order_by("pk")


class DrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """双随机抽查：承诺（抽取前公布的摘要及其文件）与抽取结果（对象编号 e企业/p场所，人员编号 i）。"""

    serializer_class = DrawSerializer
    filterset_class = DrawFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (Draw.objects.visible_to(self.request.user).select_related("department")
                .defer("population_gz", "inspectors_gz").order_by("-committed_at", "-pk"))


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """现场检查及其检查发现。"""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (Inspection.objects.visible_to(self.request.user)
                .select_related("enterprise", "premises")
                .prefetch_related("findings", "checklists__checklist", "checklists__results")
                .order_by("-created_at", "-pk"))

    @extend_schema(request=ChecklistRecordInSerializer,
                   responses={201: InspectionChecklistSerializer, 200: InspectionChecklistSerializer,
                              400: OpenApiResponse(description="输入或业务规则不符（中文说明）"),
                              403: OpenApiResponse(description="无权办理"), 404: OpenApiResponse(description="不存在或不在管辖范围内")},
                   summary="对照检查表库中的检查表记录检查结果（不合格项登记为隐患；同一 uuid 只记录一次）")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def checklist(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        serializer = ChecklistRecordInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chosen = checklists.library_lists(request.user).filter(pk=data["checklist"]).first()
        if chosen is None:
            raise serializers.ValidationError({"checklist": ["请选择检查表库中的现行检查表。"]})
        answers = [checklists.Answer(item=r["item"], outcome=r["outcome"], note=r.get("note", ""))
                   for r in data["results"]]
        sheet, created = checklists.checklist_record(actor=request.user, inspection=inspection,
                                                     uuid=str(data["uuid"]), checklist=chosen, answers=answers,
                                                     deadline=data["deadline"])
        return Response(InspectionChecklistSerializer(sheet).data, status=201 if created else 200)


def register(router: DefaultRouter) -> None:
    router.register("enforcement/matters", InspectionMatterViewSet, basename="enforcement-matter")
    router.register("enforcement/inspectors", InspectorViewSet, basename="enforcement-inspector")
    router.register("enforcement/draws", DrawViewSet, basename="enforcement-draw")
    router.register("enforcement/inspections", InspectionViewSet, basename="enforcement-inspection")
