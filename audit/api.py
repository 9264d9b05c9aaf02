from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.choices import Role
from audit import services
from audit.filters import ChangeEventFilter
from core.models import ChangeEvent


class ChangeEventSerializer(serializers.ModelSerializer):
    action_name = serializers.CharField(read_only=True, help_text="操作的现用名称（早期事件的 action 保留记录时的旧名称）")

    class Meta:
        model = ChangeEvent
        fields = ["seq", "occurred_at", "actor", "actor_label", "source", "ip", "action", "action_name", "success",
                  "object_type", "object_id", "object_repr", "changes", "note", "prev_hash", "hash"]


class ChainCheckpointSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="export")
    seq = serializers.IntegerField(help_text="最新区块的序号（封存了这次导出的记录）")
    hash = serializers.CharField(help_text="最新区块的哈希")
    unit = serializers.CharField(help_text="block：检查点固定的是区块")
    event = serializers.IntegerField(help_text="记录这次导出的变更事件序号")
    at = serializers.CharField(help_text="签发时间（ISO 8601，UTC）")
    by = serializers.CharField(help_text="导出人")
    sig = serializers.CharField(help_text="HMAC-SHA256 签名（链密钥）")


class AuditAdminPermission:
    message = "只有审计管理员可以查看审计日志。"

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_role(Role.AUDITADMIN))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return True


class ChangeEventViewSet(viewsets.ReadOnlyModelViewSet):
    """审计日志（只读；仅审计管理员）。"""

    serializer_class = ChangeEventSerializer
    filterset_class = ChangeEventFilter
    permission_classes = [AuditAdminPermission]
    lookup_field = "seq"

    def get_queryset(self) -> QuerySet:
        return ChangeEvent.objects.order_by("-seq")

    @extend_schema(request=None, responses={201: ChainCheckpointSerializer}, summary="导出签名的链头检查点",
                   description="先封存已提交的变更记录，再签发最新区块的检查点（记入审计日志和锚点文件）。保存在本系统之外，日后可交给"
                               "`manage.py verify_history --checkpoint` 或审计页面校验，发现末尾被删除或改写的记录。")
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def checkpoint(self, request: Request) -> Response:
        cp = services.checkpoint_export(actor=request.user)
        return Response(ChainCheckpointSerializer(cp.as_dict()).data, status=status.HTTP_201_CREATED)
