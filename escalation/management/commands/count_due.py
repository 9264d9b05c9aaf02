from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from escalation.counts import refresh


class Command(BaseCommand):
    help = "重新统计各类事项的超期与即将到期数（首页卡片和督办台读取；后台每十分钟自动执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        for key, rows in refresh().items():
            self.stdout.write(f"{key}: {rows}")
