from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from core.api import BusinessRolePermission
from orgs.models import Domain, Jurisdiction, Unit


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "code", "name", "short_name", "kind"]


class JurisdictionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["id", "name", "code", "level", "parent", "path", "depth", "synthetic"]


class UnitSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "jurisdiction", "parent", "domains", "aliases", "collective", "synthetic", "active"]


class DomainViewSet(viewsets.ReadOnlyModelViewSet):
    """行业领域（种子方案的12个行业领域和2个专题）。"""

    serializer_class = DomainSerializer
    permission_classes = [BusinessRolePermission]
    queryset = Domain.objects.all()


class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划树（市 → 乡镇/街道/园区 → 村/社区/网格）。"""

    serializer_class = JurisdictionSerializer
    permission_classes = [BusinessRolePermission]
    filterset_fields = ["level", "parent"]

    def get_queryset(self) -> QuerySet:
        return Jurisdiction.objects.visible_to(self.request.user).order_by("path")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """单位（安委会、安委办、专委会、部门、乡镇、园区……）及其别名和监管行业领域。"""

    serializer_class = UnitSerializer
    permission_classes = [BusinessRolePermission]
    filterset_fields = ["kind", "collective"]

    def get_queryset(self) -> QuerySet:
        return Unit.objects.visible_to(self.request.user).prefetch_related("domains", "aliases").order_by("sort", "name")
