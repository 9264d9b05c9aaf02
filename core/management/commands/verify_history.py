from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the change log; exits non-zero if any event was altered or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"校验失败：共检查 {report.checked} 条事件，发现 {len(report.problems)} 处问题。")
        self.stdout.write(f"校验通过：共 {report.checked} 条事件，哈希链完整。")
