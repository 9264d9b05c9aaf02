from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "载入默认风险分级方案（LEC、风险矩阵，阈值见 rules.md 第4节）。可重复执行。"

    def handle(self, *args: Any, **options: Any) -> None:
        from risk import services
        from risk.choices import Method
        from risk.models import GradingScheme

        with audit_context(source=Source.COMMAND):
            for method in (Method.LEC, Method.LS):
                if GradingScheme.objects.filter(method=method, domain__isnull=True).exists():
                    self.stdout.write(f"已有默认方案：{method}")
                    continue
                b = services.builtin_scheme(method)
                services.scheme_save(actor=None, method=method, domain=None, name=b.name, red=b.red_threshold,
                                     orange=b.orange_threshold, yellow=b.yellow_threshold, inclusive=b.inclusive)
                self.stdout.write(f"已载入默认方案：{b.name}")
