from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from accounts.choices import Role
from audit.filters import ChangeEventFilter
from core.models import ChangeEvent


class ChangeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeEvent
        fields = ["seq", "occurred_at", "actor", "actor_label", "source", "ip", "action", "success", "object_type",
                  "object_id", "object_repr", "changes", "note", "prev_hash", "hash"]


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
