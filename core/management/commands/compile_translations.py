"""Compile the .po catalogues to .mo with polib.

Django's own `compilemessages` needs GNU gettext's msgfmt, which a machine with only Python does
not have; polib is pure Python, so installing the platform stays a pip install. `serve` and the test
suite do the same at start, so running this by hand is never required."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.startup import compile_stale_catalogues


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po (project and apps) to .mo without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        count = compile_stale_catalogues(self.stdout.write)
        self.stdout.write(f"已编译 {count} 个语言文件。")
