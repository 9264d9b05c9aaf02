from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from accounts.models import User


class PolicyBackend(BaseBackend):
    """Password authentication with the lock-out policy.

    Written here rather than taken from django-axes: the lock is per account with the policy the
    security administrator sets at run time, and every attempt must enter our hash-chained log
    in the same transaction as the counter it changes (accounts.services.login_attempt)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        from accounts.services import login_attempt

        if username is None or password is None:
            return None
        result = login_attempt(username=username, password=password)
        if request is not None:
            request.anzhi_login_error = result.error  # type: ignore[attr-defined]
        return result.user

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("unit", "enterprise__unit").filter(pk=user_id, is_active=True).first()
        return user
