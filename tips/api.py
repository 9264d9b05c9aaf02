"""Tips API: read-only list and detail for staff, scoped by ``visible_to`` (out of scope is 404). The reporter's
identity is not part of it: it is shown only on the detail page, on request, and recorded."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission
from tips.filters import TipFilter
from tips.models import Tip


class TipSerializer(serializers.ModelSerializer):
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    assigned_unit_name = serializers.CharField(source="assigned_unit.name", read_only=True, allow_null=True,
                                               default=None)

    class Meta:
        model = Tip
        fields = ["id", "kind", "description", "jurisdiction", "jurisdiction_name", "enterprise", "subject", "address",
                  "longitude", "latitude", "status", "received_at", "accept_due", "verify_due", "reply_due",
                  "assigned_unit", "assigned_unit_name", "forwarded_to", "verification", "confirmed", "verified_at",
                  "reply", "replied_at", "hazard", "inspection", "case", "reward_amount", "reward_basis", "payout_ref", "paid_at"]
        read_only_fields = fields


class TipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """举报 (tips) in the caller's scope: the office and township over the place, the department it is assigned to."""

    serializer_class = TipSerializer
    permission_classes = [BusinessRolePermission]
    filterset_class = TipFilter

    def get_queryset(self) -> Any:
        return (Tip.objects.visible_to(self.request.user).select_related("jurisdiction", "assigned_unit")
                .order_by("-received_at", "-pk"))


def register(router: DefaultRouter) -> None:
    router.register("tips", TipViewSet, basename="tip")
