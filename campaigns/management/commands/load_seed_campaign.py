from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from campaigns.loaders import load_seed_campaign
from core.audit import Source, audit_context


class Command(BaseCommand):
    help = "Load (or update) the seed campaign 湘乡安发〔2020〕7号 from campaigns/data. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", type=Path, default=None, help="data file (default: the project's copy)")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source=Source.IMPORT):
            report = load_seed_campaign(options["file"])
        summary = "，".join(f"{k} {v}" for k, v in report.counts.items())
        self.stdout.write(f"专项整治三年行动已同步（逐项新增或更新）：{summary}")
        for note in report.notes:
            self.stdout.write(f"  说明：{note}")
        for problem in report.problems:
            self.stderr.write(f"  无法处理：{problem}")
