from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token az_…`` — only the SHA-256 of a key is stored."""

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        from accounts.services import hash_token

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。"))
        key = header[1].decode(errors="replace")
        token = (ApiToken.objects.select_related("user__unit", "user__enterprise__unit")
                 .filter(key_hash=hash_token(key)).first())
        if token is None or not token.is_valid:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        # A token is only as good as its user's account right now (the same verdict as for sessions).
        state = token.user.credential_state()
        if state is not None:
            if state.ends_session:
                raise exceptions.AuthenticationFailed(state.refusal)
            raise exceptions.PermissionDenied(state.refusal)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token az_…（在“我的账号 → 接口令牌”中创建）"}
