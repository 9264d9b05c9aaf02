from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaigns import workflow
from campaigns.choices import ReportAction
from campaigns.filters import ProgressReportFilter, TaskFilter
from campaigns.models import ProgressReport, Task, TaskUnit
from core.api import BusinessRolePermission, ScopedPrimaryKeyRelatedField
from core.scoping import get_visible_or_404


class CampaignTaskUnitSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = TaskUnit
        fields = ["unit", "unit_name", "role", "as_written", "source", "via"]


class CampaignTaskSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    units = CampaignTaskUnitSerializer(source="unit_links", many=True, read_only=True)
    recurrence = serializers.CharField(read_only=True, help_text="monthly / quarterly / yearly, or empty")

    class Meta:
        model = Task
        fields = ["id", "campaign", "plan", "plan_code", "label", "source", "number", "table_year", "table_group",
                  "section", "title", "text", "measures", "responsibility_text", "units", "deadline",
                  "deadline_kind", "deadline_text", "recurrence", "phase", "status", "percent", "completed_on",
                  "source_line", "updated_at"]
        read_only_fields = fields


class CampaignTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专项整治任务（安委办看本辖区全部；单位看本单位牵头、配合或实施的任务；范围外返回 404）。"""

    serializer_class = CampaignTaskSerializer
    filterset_class = TaskFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (Task.objects.visible_to(self.request.user).select_related("plan")
                .prefetch_related(Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit")))
                .order_by("campaign_id", "plan__sort", "source", "sort", "pk"))


class CampaignProgressReportSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    task = ScopedPrimaryKeyRelatedField(queryset=Task.objects.all())

    class Meta:
        model = ProgressReport
        fields = ["id", "task", "unit", "unit_name", "period_start", "period_label", "reported_status", "narrative",
                  "percent", "state", "submitted_at", "reviewed_at", "review_comment"]
        read_only_fields = ["unit", "unit_name", "period_start", "period_label", "state", "submitted_at",
                            "reviewed_at", "review_comment"]


class CampaignReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CampaignProgressReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                    viewsets.GenericViewSet):
    """进展报送：责任单位报送（退回后再次报送同一周期即为重新报送），安委办采纳或退回。"""

    serializer_class = CampaignProgressReportSerializer
    filterset_class = ProgressReportFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return (ProgressReport.objects.visible_to(self.request.user).select_related("unit")
                .order_by("-submitted_at", "-pk"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = get_visible_or_404(Task.objects.all(), request.user, pk=data.pop("task").pk)
        report = workflow.report_submit(actor=request.user, task=task, **data)
        return Response(self.get_serializer(report).data, status=201)

    def _review(self, request: Request, action_name: str) -> Response:
        report = self.get_object()
        body = CampaignReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = workflow.report_review(actor=request.user, report=report, action=action_name,
                                        comment=body.validated_data["comment"])
        return Response(self.get_serializer(report).data)

    @extend_schema(request=CampaignReviewSerializer, responses=CampaignProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._review(request, ReportAction.ACCEPT)

    @extend_schema(request=CampaignReviewSerializer, responses=CampaignProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._review(request, ReportAction.RETURN)


def register(router: DefaultRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("campaign-tasks", CampaignTaskViewSet, basename="campaign-task")
    router.register("campaign-progress-reports", CampaignProgressReportViewSet, basename="campaign-progress-report")
