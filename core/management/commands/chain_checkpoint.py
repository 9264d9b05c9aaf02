from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.anchor import anchor_path, checkpoint_now


class Command(BaseCommand):
    help = ("Seal committed change-log events, then append a signed checkpoint of the latest block to the anchor "
            "file now (the hourly job does the same; use this from cron, or before maintenance).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cp = checkpoint_now()
        except OSError as exc:
            raise CommandError(f"无法写入锚点文件 {anchor_path()}：{exc}") from exc
        if cp is None:
            self.stdout.write(f"链头未变，无需新的检查点（{anchor_path()}）。")
        else:
            self.stdout.write(f"已写入检查点 {cp.label()} → {anchor_path()}")
