"""API: a user's own notifications (list, mark read)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import IdField
from notifications import selectors, services
from notifications.choices import Kind
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "kind", "kind_label", "source_key", "object_type", "object_id",
                  "created_at", "read_at"]
        read_only_fields = fields


class NotificationMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), required=False, default=list, max_length=1000)
    all = serializers.BooleanField(required=False, default=False)


class NotificationMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications, unread first. Filter: ?kind=reminder&unread=true."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        kind = self.request.query_params.get("kind", "")
        unread = self.request.query_params.get("unread", "") in ("1", "true")
        return selectors.inbox(self.request.user, kind=kind if kind in Kind.values else "", unread_only=unread)

    @extend_schema(request=NotificationMarkReadSerializer, responses=NotificationMarkReadResultSerializer,
                   summary="将消息标为已读")
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request) -> Response:
        data = NotificationMarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        n = services.mark_read(user=request.user, notification_ids=data.validated_data["ids"],
                               all=data.validated_data["all"])
        return Response({"marked": n, "unread": selectors.unread_count(request.user)})


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
