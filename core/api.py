"""API plumbing shared by every app: errors as clear Chinese messages, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class IdField(serializers.IntegerField):
    """An object id in a request body: 1 … 2⁶³-1, so a huge number is a 400, never a database overflow."""

    def __init__(self, **kwargs: Any) -> None:
        from core.filters import MAX_ID

        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail: Any = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行此操作的权限。"))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    return drf_exception_handler(exc, context)


class BusinessRolePermission:
    """API access to business data needs a business role (三员分立: system accounts read none)."""

    message = "系统管理账号不能访问业务数据。"

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_business_role)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return True


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be visible to the requesting user: an out-of-scope id gets the same
    "does not exist" answer as a missing one, so the API does not leak what exists elsewhere."""

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return queryset.visible_to(user)

    def to_internal_value(self, data: Any) -> Any:
        # Without the request every id would look missing, for every role: a programming error, not bad input.
        if self.context.get("request") is None:
            raise ImproperlyConfigured(f"{type(self.parent).__name__}.{self.field_name}: a scoped id needs the "
                                       "request in the serializer context (context=self.get_serializer_context()).")
        return super().to_internal_value(data)
