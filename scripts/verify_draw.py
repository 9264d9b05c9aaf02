#!/usr/bin/env python3
"""Verify a 双随机 draw from its published files (standard library only).

Usage: python3 verify_draw.py FOLDER_OR_ZIP

The folder (or the .zip the platform exports) holds population.json, inspectors.json, parameters.json,
commitment.json, reveal.json, result.json and draw.py — the draw algorithm, the same file the platform runs
(enforcement/draw.py). This script loads draw.py from the folder given (or, when absent, from the project's
enforcement/ folder), recomputes the hashes, checks the commitment and the revealed inputs, re-runs the draw and
compares the result. Exit status 0: reproduced; 1: a difference (printed); 2: files missing or unreadable.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
import zipfile
from pathlib import Path

PARTS = ("population", "inspectors", "parameters", "commitment", "reveal", "result")


def load_algorithm(folder: Path):  # noqa: ANN201 - a module
    for candidate in (folder / "draw.py", Path(__file__).resolve().parent.parent / "enforcement" / "draw.py"):
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location("anzhi_draw", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module, candidate
    raise FileNotFoundError("draw.py")


def check(folder: Path) -> int:
    try:
        bundle = {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in PARTS}
        algorithm, where = load_algorithm(folder)
    except (OSError, ValueError) as exc:
        print(f"cannot read the draw files: {exc}")
        return 2
    print(f"algorithm: {where} ({algorithm.ALGORITHM}), commitment {bundle['commitment']['hash']}")
    problems = algorithm.verify(bundle)
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        return 1
    targets = bundle["result"]["targets"]
    print(f"OK: the draw is reproduced ({len(targets)} targets, seed {bundle['result']['seed']})")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    path = Path(argv[1])
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                name = Path(member).name
                if name.endswith((".json", ".py")) and name == member:
                    (Path(tmp) / name).write_bytes(archive.read(member))
            return check(Path(tmp))
    return check(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
