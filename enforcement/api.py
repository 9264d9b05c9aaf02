"""Enforcement API (read-only, scoped by ``visible_to``; out of scope is 404): the 抽查事项清单, the 执法检查人员
名录库, draws with their commitment and result, inspections with their findings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission
from enforcement.filters import DrawFilter, InspectionFilter
from enforcement.models import CheckItem, Draw, Finding, Inspection, Inspector


class CheckItemSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = CheckItem
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


class InspectionSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "department", "enterprise", "premises", "target_name", "origin", "draw", "status",
                  "planned_date", "started_at", "finished_at", "signer", "refused_to_sign", "review_due", "findings"]
        read_only_fields = fields


class CheckItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """抽查事项清单（本部门及安委办可见）。"""

    serializer_class = CheckItemSerializer
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return CheckItem.objects.visible_to(self.request.user).select_related("department").order_by("pk")


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
                .select_related("enterprise", "premises").prefetch_related("findings").order_by("-created_at", "-pk"))


def register(router: DefaultRouter) -> None:
    router.register("enforcement/items", CheckItemViewSet, basename="enforcement-item")
    router.register("enforcement/inspectors", InspectorViewSet, basename="enforcement-inspector")
    router.register("enforcement/draws", DrawViewSet, basename="enforcement-draw")
    router.register("enforcement/inspections", InspectionViewSet, basename="enforcement-inspection")
