from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import BusinessRolePermission
from enterprises import services
from enterprises.choices import RISK_FLAG_FIELDS
from enterprises.filters import EnterpriseFilter
from enterprises.models import Enterprise
from enterprises.selectors import total_for
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit


class EnterpriseSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=Jurisdiction.objects.all())
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    domains = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Domain.objects.all(), required=False)
    departments = serializers.PrimaryKeyRelatedField(many=True, required=False,
                                                     queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT))
    risk_flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    # The check character is validated by the service, with a Chinese message.
    credit_code = serializers.CharField(max_length=40)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "jurisdiction", "jurisdiction_name", "domains", "departments",
                  "industry_code", "address", "legal_representative", "principal", "safety_manager", "phone",
                  "employees", "above_scale", "longitude", "latitude", *RISK_FLAG_FIELDS, "risk_flags", "synthetic",
                  "created_at", "updated_at"]
        read_only_fields = ["synthetic", "created_at", "updated_at"]


class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """企业名录（按属地 + 行业范围过滤；范围外的企业返回 404）。"""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    permission_classes = [BusinessRolePermission]
    scope_total = staticmethod(total_for)  # the unfiltered list's total (core.paging.Pagination)

    def get_queryset(self) -> QuerySet:
        return (Enterprise.objects.visible_to(self.request.user).select_related("jurisdiction")
                .prefetch_related("domains", "departments").order_by("name", "pk"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        domains = data.pop("domains", [])
        departments = data.pop("departments", [])
        enterprise = services.enterprise_create(actor=request.user, domains=domains, departments=departments, **data)
        return Response(self.get_serializer(enterprise).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enterprise = self.get_object()
        serializer = self.get_serializer(enterprise, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        domains = data.pop("domains", None)
        departments = data.pop("departments", None)
        enterprise = services.enterprise_update(actor=request.user, enterprise=enterprise, domains=domains,
                                                departments=departments, **data)
        return Response(self.get_serializer(enterprise).data)
