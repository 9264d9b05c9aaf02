from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import Source, audit_context
from orgs.boundaries import DATA_FILE, load_shipped


class Command(BaseCommand):
    help = ("Load jurisdiction boundaries (GeoJSON) for the maps; never overwrites boundaries the office uploaded. "
            "Idempotent.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", type=Path, default=None, help=f"GeoJSON file (default: {DATA_FILE.name})")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source=Source.COMMAND):
            written, problems = load_shipped(options["file"])
        if problems:
            for problem in problems:
                self.stderr.write(f"  无法处理：{problem}")
            raise CommandError("辖区边界文件有问题，没有保存任何边界。")
        self.stdout.write(f"辖区边界已同步：新写入或更新 {len(written)} 个（已有且相同的、安委办上传的不变）。")
