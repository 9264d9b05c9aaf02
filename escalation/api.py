"""API: escalation records within the viewer's scope, the office's decisions, the due summary."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission
from escalation import selectors, services
from escalation.choices import Action, RecordStatus
from escalation.models import EscalationRecord


class EscalationRecordSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EscalationRecord
        fields = ["id", "source_key", "object_type", "object_id", "object_title", "object_url", "action",
                  "action_label", "status", "status_label", "manual", "due_date", "overdue_workdays", "created_at",
                  "decided_by", "decided_by_name", "decided_at", "note"]
        read_only_fields = fields

    def get_decided_by_name(self, obj: EscalationRecord) -> str:
        return str(obj.decided_by) if obj.decided_by_id else ""


class EscalationDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DueSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind_label = serializers.CharField()
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    horizon = serializers.DateField()


class EscalationRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办记录（按所涉事项的可见范围过滤；范围外返回 404）。?status=proposed&source=hazards.hazard&action=talk"""

    serializer_class = EscalationRecordSerializer
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        qs = selectors.record_history(self.request.user)
        params = self.request.query_params
        if params.get("status") in RecordStatus.values:
            qs = qs.filter(status=params["status"])
        if params.get("action") in Action.values:
            qs = qs.filter(action=params["action"])
        if params.get("source"):
            qs = qs.filter(source_key=params["source"])
        return qs.order_by("-created_at", "-pk")

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=RecordStatus.values), OpenApiParameter("action", str, enum=Action.values),
        OpenApiParameter("source", str)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=EscalationDecisionSerializer, responses=EscalationRecordSerializer,
                   summary="安委办决定督办措施（确认或不予执行）")
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        data = EscalationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.decide(actor=request.user, record=record, confirm=data.validated_data["confirm"],
                                 note=data.validated_data["note"])
        return Response(self.get_serializer(record).data)



class DueSummaryViewSet(viewsets.ViewSet):
    """各类事项逾期和即将到期数量（本人范围内，数据库内计数）。"""

    permission_classes = [BusinessRolePermission]

    @extend_schema(responses=DueSummarySerializer(many=True), summary="各类事项逾期和即将到期数量（本人范围内）")
    def list(self, request: Request) -> Response:
        rows = selectors.due_summary(request.user, today=timezone.localdate())
        return Response(DueSummarySerializer(rows, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("escalation/records", EscalationRecordViewSet, basename="escalationrecord")
    router.register("escalation/due-summary", DueSummaryViewSet, basename="escalationduesummary")
