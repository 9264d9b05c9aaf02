"""Reset a system account (系统管理员 / 安全管理员 / 审计管理员) on the server.

三员分立: no administrator can reset another's password through the web, the API or the admin; whoever
holds a shell on the server (and so the database) does it here, and the change log records it."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import User
from core.audit import Source, audit_context


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return ""


class Command(BaseCommand):
    help = ("Reset a system account's password to a random initial one (printed once, to be changed at "
            "first login), lift its lock and end its sessions; recorded in the change log.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在。")
        with audit_context(source=Source.COMMAND):
            try:
                password = services.system_account_reset(user=user, operator=_operator())
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"已重置 {user.username} 的密码，首次登录须修改。初始密码（只显示这一次）：")
        self.stdout.write(password)
