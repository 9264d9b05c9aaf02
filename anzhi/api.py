"""The /api/v1/ router: every app contributes its viewsets here."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from audit.api import ChangeEventViewSet
from enterprises.api import EnterpriseViewSet
from orgs.api import DomainViewSet, JurisdictionViewSet, UnitViewSet


class Router(DefaultRouter):
    """Detail routes take canonical ids only: ASCII digits. "abc", "-1", "1e9" or "１２" match no route
    (404), like ids beyond any column (Django answers those lookups with an empty result)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = "[0-9]+"


router = Router()
router.register("domains", DomainViewSet, basename="domain")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("units", UnitViewSet, basename="unit")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("audit/events", ChangeEventViewSet, basename="changeevent")
for _app in ("workdays", "notifications", "escalation", "campaigns", "ledgers", "hazards", "risk", "enforcement", "checks",
             "accidents", "tips", "credit"):
    import_module(f"{_app}.api").register(router)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    unit = serializers.CharField(allow_null=True)
    enterprise = serializers.IntegerField(allow_null=True)


@extend_schema(responses=MeSerializer, summary="当前用户及其角色")
@api_view(["GET"])
def me(request: Request) -> Response:
    user = request.user
    return Response(MeSerializer({
        "id": user.pk, "username": user.username, "full_name": user.full_name, "roles": sorted(user.role_set),
        "unit": user.unit.name if user.unit_id else None, "enterprise": user.enterprise_id,
    }).data)
