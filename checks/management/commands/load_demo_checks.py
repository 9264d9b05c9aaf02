from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Demo data for 隐患排查: a grid member, shops, a shift check plan and today's due checks. Demo only."

    def handle(self, *args: Any, **options: Any) -> None:
        from checks.demo import load_demo_checks

        with audit_context(source=Source.COMMAND):
            for line in load_demo_checks():
                self.stdout.write(line)
