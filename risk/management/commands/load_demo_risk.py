from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "载入演示风险点（湘乡钢铁有限公司等）。仅演示环境使用，可重复执行。"

    def handle(self, *args: Any, **options: Any) -> None:
        from risk.demo import load_demo_risk

        with audit_context(source=Source.COMMAND):
            for line in load_demo_risk():
                self.stdout.write(line)
