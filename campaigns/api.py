from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaigns import goals as goal_services
from campaigns import lifecycle, workflow
from campaigns.choices import Comparison, ReportAction, StageAction, UnitRole
from campaigns.filters import CampaignFilter, GoalFilter, ProgressReportFilter, TaskFilter
from campaigns.goals import GOAL_FIELDS
from campaigns.models import Campaign, Goal, Plan, ProgressReport, Task, TaskUnit
from core.api import BusinessRolePermission, ScopedPrimaryKeyRelatedField
from core.scoping import get_visible_or_404


class CampaignTaskUnitSerializer(serializers.ModelSerializer):
    """One unit's part in a task, with its own status (moved only by the office accepting its reports)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = TaskUnit
        fields = ["unit", "unit_name", "role", "as_written", "source", "via", "status", "percent", "completed_on"]


class CampaignTaskSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    units = CampaignTaskUnitSerializer(source="unit_links", many=True, read_only=True)
    lead_units = serializers.SerializerMethodField(help_text="牵头单位的部分")
    coop_units = serializers.SerializerMethodField(help_text="配合单位的部分")
    implementing_units = serializers.SerializerMethodField(help_text="实施单位的部分")
    recurrence = serializers.CharField(read_only=True, help_text="monthly / quarterly / yearly, or empty")

    class Meta:
        model = Task
        fields = ["id", "campaign", "plan", "plan_code", "label", "source", "number", "table_year", "table_group",
                  "section", "title", "text", "measures", "responsibility_text", "units", "lead_units",
                  "coop_units", "implementing_units", "deadline",
                  "deadline_kind", "deadline_text", "recurrence", "phase", "status", "percent", "completed_on",
                  "source_line", "updated_at"]
        read_only_fields = fields

    def _parts(self, task: Task, role: str) -> list[dict[str, Any]]:
        return CampaignTaskUnitSerializer([link for link in task.unit_links.all() if link.role == role],
                                          many=True).data

    @extend_schema_field(CampaignTaskUnitSerializer(many=True))
    def get_lead_units(self, task: Task) -> list[dict[str, Any]]:
        return self._parts(task, UnitRole.LEAD)

    @extend_schema_field(CampaignTaskUnitSerializer(many=True))
    def get_coop_units(self, task: Task) -> list[dict[str, Any]]:
        return self._parts(task, UnitRole.COOP)

    @extend_schema_field(CampaignTaskUnitSerializer(many=True))
    def get_implementing_units(self, task: Task) -> list[dict[str, Any]]:
        return self._parts(task, UnitRole.IMPLEMENTING)


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


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "short_name", "document_number", "issuer", "starts_on", "ends_on", "report_interval",
                  "report_day", "office_unit", "jurisdiction", "stage"]
        read_only_fields = fields


class CampaignStageSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=StageAction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专项整治行动及其阶段（筹备 → 实施 → 总结 → 归档；转入总结后停止提醒和督办，归档后只读）。"""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return Campaign.objects.visible_to(self.request.user).order_by("-starts_on", "pk")

    @extend_schema(request=CampaignStageSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: str | None = None) -> Response:
        campaign = self.get_object()
        body = CampaignStageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = lifecycle.campaign_transition(actor=request.user, campaign=campaign,
                                                 action=body.validated_data["action"],
                                                 note=body.validated_data["note"])
        return Response(self.get_serializer(campaign).data)


class CampaignGoalSerializer(serializers.ModelSerializer):
    """目标 / 指标 of a plan: with a comparison and a target value it is a measurable indicator."""

    plan = ScopedPrimaryKeyRelatedField(queryset=Plan.objects.all())
    comparison = serializers.ChoiceField(choices=Comparison.choices, required=False, allow_blank=True, default="")
    measurable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "plan", "text", "metric", "target_text", "comparison", "target_value", "measure_unit",
                  "deadline", "deadline_text", "ref", "sort", "source", "measurable"]
        read_only_fields = ["id", "source", "measurable"]


class CampaignGoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """目标指标：任何行动的安委办都可以新增、修改、删除（已报送实际值的指标不能删除；归档行动只读）。"""

    serializer_class = CampaignGoalSerializer
    filterset_class = GoalFilter
    permission_classes = [BusinessRolePermission]

    def get_queryset(self) -> QuerySet:
        return Goal.objects.visible_to(self.request.user).select_related("plan").order_by("plan_id", "sort", "pk")

    def _values(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k in GOAL_FIELDS}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        values = self._values(data)
        values.setdefault("sort", plan.goals.count() + 1)
        goal = goal_services.goal_save(actor=request.user, plan=plan, source="api", **values)
        return Response(self.get_serializer(goal).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        goal = self.get_object()
        serializer = self.get_serializer(goal, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("plan", goal.plan).pk != goal.plan_id:
            raise ValidationError(_("目标不能移到其他方案。"))
        goal = goal_services.goal_save(actor=request.user, plan=goal.plan, goal=goal, **self._values(data))
        return Response(self.get_serializer(goal).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        goal_services.goal_delete(actor=request.user, goal=self.get_object())
        return Response(status=204)


def register(router: DefaultRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("campaign-tasks", CampaignTaskViewSet, basename="campaign-task")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("campaign-goals", CampaignGoalViewSet, basename="campaign-goal")
    router.register("campaign-progress-reports", CampaignProgressReportViewSet, basename="campaign-progress-report")
