from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.anchor import Checkpoint
from core.chain import verify_history


class Command(BaseCommand):
    help = ("Seal committed events, then verify the change log (every block, every event's own hash, the queue of "
            "unsealed events) and that it still reaches every checkpoint kept outside the database (the anchor "
            "file, and any exported checkpoint or backup manifest given with --checkpoint); exits non-zero if any "
            "event or block was altered, removed, reordered or inserted.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--checkpoint", type=Path, action="append", default=[],
                            help="a checkpoint exported by the audit administrator, or a backup's manifest.json")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = []
        for path in options["checkpoint"]:
            try:
                extra.append(Checkpoint.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取检查点文件 {path}：{exc}") from exc
        report = verify_history(extra=extra)
        for note in report.notes:
            self.stdout.write(note)
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"校验失败：共检查 {report.checked} 条事件，发现 {len(report.problems)} 处问题。")
        anchored = (f"，与 {report.checkpoints} 个检查点一致（最新 {report.latest_checkpoint.label()}）"
                    if report.latest_checkpoint else "")
        self.stdout.write(f"校验通过：共 {report.checked} 条事件（{report.blocks} 个区块，{report.unsealed} 条待封存），"
                          f"记录完整{anchored}。")
