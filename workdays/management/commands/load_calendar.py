from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.audit import Source, audit_context
from workdays.loaders import describe, load_calendar


class Command(BaseCommand):
    help = "从 chinese_calendar 载入中国法定节假日与调休安排（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--until-year", type=int, default=None, help="至少记录到哪一年（默认明年）")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source=Source.COMMAND):
            report = load_calendar(until_year=options["until_year"])
        lines = describe(report)
        self.stdout.write(lines[0])
        for line in lines[1:]:
            (self.stderr if "尚无" in line else self.stdout).write(line)
