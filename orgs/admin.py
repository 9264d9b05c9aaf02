"""Django admin for the system administrator: the organisation structure, saved through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from orgs import services
from orgs.models import Domain, Jurisdiction, Unit


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "synthetic"]
    list_filter = ["level", "synthetic"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "level", "parent", "synthetic", "sort"]

    def save_model(self, request: Any, obj: Jurisdiction, form: Any, change: bool) -> None:
        saved = services.jurisdiction_save(actor=request.user, code=obj.code, name=obj.name, level=obj.level,
                                           parent=obj.parent, synthetic=obj.synthetic, sort=obj.sort)
        obj.pk, obj.path = saved.pk, saved.path

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "jurisdiction", "parent", "collective", "active"]
    list_filter = ["kind", "collective", "active"]
    search_fields = ["name", "aliases__alias"]
    fields = ["name", "kind", "jurisdiction", "parent", "domains", "collective", "synthetic", "active", "sort"]
    filter_horizontal = ["domains"]

    def save_model(self, request: Any, obj: Unit, form: Any, change: bool) -> None:
        aliases = list(obj.aliases.values_list("alias", flat=True)) if obj.pk else []
        saved = services.unit_save(actor=request.user, name=obj.name, kind=obj.kind, jurisdiction=obj.jurisdiction,
                                   parent=obj.parent, domains=form.cleaned_data["domains"], aliases=aliases,
                                   collective=obj.collective, synthetic=obj.synthetic, active=obj.active, sort=obj.sort)
        obj.pk = saved.pk

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        pass  # domains were set by the service

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind"]

    def save_model(self, request: Any, obj: Domain, form: Any, change: bool) -> None:
        saved = services.domain_save(actor=request.user, code=obj.code, name=obj.name, short_name=obj.short_name,
                                     kind=obj.kind, sort=obj.sort)
        obj.pk = saved.pk

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
