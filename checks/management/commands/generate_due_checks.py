from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Generate the due checks of every active plan from today (idempotent; the nightly job does the same)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        from checks.services import generate_due

        with audit_context(source=Source.COMMAND):
            n = generate_due(days=options["days"])
        self.stdout.write(f"新增应检任务 {n} 条。")
