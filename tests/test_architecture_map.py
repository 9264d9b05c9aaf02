"""docs/ARCHITECTURE.md is the map: its layout table names every app and every top-level folder of the project."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings


def test_the_layout_table_names_every_app_and_folder() -> None:
    root = Path(settings.BASE_DIR)
    text = (root / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`/]+)/` \|", text, flags=re.MULTILINE))
    apps_here = {Path(c.path).name for c in apps.get_app_configs() if Path(c.path).parent == root}
    packages = {p.name for p in root.iterdir()
                if p.is_dir() and not p.name.startswith((".", "_")) and (p / "__init__.py").exists()}
    folders = packages | {"templates", "locale", "bench", "scripts", "docs"}
    missing = sorted((apps_here | folders) - listed)
    assert not missing, f"docs/ARCHITECTURE.md layout table does not name: {missing}"
