from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from core.audit import Source, audit_context
from orgs.loaders import load_org_structure


class Command(BaseCommand):
    help = "Load (or update) the organisation structure: domains, jurisdictions, units and aliases. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", type=Path, default=None, help="data file (default: orgs/data/xiangxiang.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source=Source.COMMAND):
            report = load_org_structure(options["file"])
        summary = "，".join(f"{k} {v}" for k, v in report.created.items())
        self.stdout.write(f"组织机构已同步（逐项新增或更新）：{summary}")
        for note in report.notes:
            self.stdout.write(f"  说明：{note}")
        for problem in report.problems:
            self.stderr.write(f"  无法处理：{problem}")
