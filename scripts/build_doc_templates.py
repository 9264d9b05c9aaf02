"""Build the default Word templates (<app>/data/templates/<key>.docx) from their python-docx builders
(``build_default`` of each document type, e.g. campaigns/doc_templates.py, risk/doc_templates.py).

Run after changing a layout and commit the result: ``.venv/bin/python scripts/build_doc_templates.py``.
With ``--check`` nothing is written and the exit status is 1 when a committed template differs from what its
builder makes (documents/tests/test_registry.py checks the same). The files do not depend on when they were
built: fixed document properties and zip times."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
    import django

    django.setup()
    from documents.building import stale_defaults, write_defaults

    if "--check" in argv:
        stale = stale_defaults()
        for key in stale:
            print(f"stale: {key}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_defaults():
        print(f"written: {Path(path).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
