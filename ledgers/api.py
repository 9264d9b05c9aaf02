from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from core.api import BusinessRolePermission
from ledgers.filters import FILTERS
from ledgers.specs import SPECS, LedgerSpec


def _viewset(key: str, spec: LedgerSpec) -> type[viewsets.ReadOnlyModelViewSet]:
    fields = ["id", "enterprise", "enterprise_name", *spec.form_fields, "created_at", "updated_at"]
    if hasattr(spec.model, "status"):
        fields.append("status")
    attrs: dict = {"enterprise_name": serializers.CharField(source="enterprise.name", read_only=True),
                   "Meta": type("Meta", (), {"model": spec.model, "fields": fields})}
    if "id_number" in spec.form_fields:  # masked in lists and the API alike
        attrs["id_number"] = serializers.CharField(source="masked_id", read_only=True)
    serializer = type(f"Ledger{spec.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)

    def get_queryset(self: viewsets.ReadOnlyModelViewSet) -> QuerySet:
        return spec.model.objects.visible_to(self.request.user).select_related("enterprise").order_by("-pk")

    return type(f"Ledger{spec.model.__name__}ViewSet", (viewsets.ReadOnlyModelViewSet,), {
        "__doc__": f"{spec.title}（按属地 + 行业范围过滤；范围外返回 404）。",
        "serializer_class": serializer, "filterset_class": FILTERS[key],
        "permission_classes": [BusinessRolePermission], "get_queryset": get_queryset})


def register(router: DefaultRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    for key, spec in SPECS.items():
        router.register(f"ledgers/{key}", _viewset(key, spec), basename=f"ledger-{key}")
