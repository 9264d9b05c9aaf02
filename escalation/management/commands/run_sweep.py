from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.services import sweep


class Command(BaseCommand):
    help = "执行一次到期提醒与逾期督办巡查（可重复执行，不会重复提醒）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", default=None, help="按哪一天巡查（YYYY-MM-DD，默认今天）")
        parser.add_argument("--source", action="append", default=None, help="只巡查某类事项（可重复）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['today']}") from exc
        try:
            report = sweep(today=today, sources=options["source"])
        except LookupError as exc:
            raise CommandError(f"未知的事项类别：{exc}") from exc
        lines = report.lines()
        for line in lines[: 1 + len(report.sources)]:
            self.stdout.write(line)
        for line in report.errors:
            self.stderr.write(line)
