from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = [
        any(c.isupper() and c.isascii() for c in password),
        any(c.islower() and c.isascii() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or not (c.isascii() and c.isalnum()) for c in password),
    ]
    return sum(classes)


class PolicyPasswordValidator:
    """Complexity and reuse rules from the security administrator's policy (等保 2.0 身份鉴别 a)."""

    def validate(self, password: str, user: Any = None) -> None:
        from accounts.models import SecurityPolicy

        policy = SecurityPolicy.current()
        errors: list[str] = []
        if len(password) < policy.min_length:
            errors.append(_("密码长度至少 %(n)d 位。") % {"n": policy.min_length})
        if character_classes(password) < policy.min_classes:
            errors.append(_("密码须包含大写字母、小写字母、数字、特殊符号中至少 %(n)d 类。") % {"n": policy.min_classes})
        if user is not None and getattr(user, "pk", None) and policy.history_count:
            recent = list(user.password_history.values_list("password", flat=True)[: policy.history_count])
            if any(check_password(password, old) for old in recent):
                errors.append(_("不能与最近 %(n)d 次使用过的密码相同。") % {"n": policy.history_count})
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        from accounts.models import SecurityPolicy

        policy = SecurityPolicy.current()
        return _("至少 %(len)d 位，包含大写字母、小写字母、数字、特殊符号中至少 %(cls)d 类。") % {
            "len": policy.min_length, "cls": policy.min_classes}
