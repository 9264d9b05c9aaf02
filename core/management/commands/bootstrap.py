from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.bootstrap import loaders


class Command(BaseCommand):
    help = "Migrate, then run every registered idempotent loader in order (with --demo, the demo data too)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="also load the synthetic demo data and accounts")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("数据库结构已是最新。")
        for loader in loaders(demo=options["demo"]):
            self.stdout.write(f"— manage.py {loader.command} {' '.join(loader.args)}".rstrip())
            call_command(loader.command, *loader.args, stdout=self.stdout, stderr=self.stderr)
