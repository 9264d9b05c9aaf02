"""Compile the .po catalogues to .mo with polib.

Django's own `compilemessages` needs GNU gettext's msgfmt, which a machine with only Python does
not have; polib is pure Python, so installing the platform stays a pip install."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po (project and apps) to .mo without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        count = 0
        for root in roots:
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(mo_path))
                count += 1
                self.stdout.write(f"{po_path} → {mo_path.name}（{catalogue.percent_translated()}% 已翻译）")
        self.stdout.write(f"已编译 {count} 个语言文件。")
