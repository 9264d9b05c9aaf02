"""GB/T 4754-2017 国民经济行业分类: the 门类 (letters) and 大类 (two digits) kept in data/gbt4754.json.

A code is accepted when it names a 门类 ("C"), a 大类 ("31") or a finer class ("311", "3110") whose
first two digits are a known 大类; a leading 门类 letter ("C3110") is accepted if it matches."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gbt4754.json"
_SHAPE = re.compile(r"^([A-T])?(\d{2,4})?$")


class IndustryCodeError(ValueError):
    pass


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    sections = {s["code"]: s["name"] for s in raw["sections"]}
    divisions = {d["code"]: (d["name"], s["code"]) for s in raw["sections"] for d in s["divisions"]}
    return sections, divisions


def sections() -> dict[str, str]:
    return _tables()[0]


def divisions() -> dict[str, tuple[str, str]]:
    return _tables()[1]


def validate_industry_code(code: str) -> str:
    """Return the normalised code ('' when empty) or raise IndustryCodeError (Chinese message)."""
    value = (code or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    m = _SHAPE.match(value)
    if not m or not (m.group(1) or m.group(2)):
        raise IndustryCodeError(f"国民经济行业代码“{value}”格式不对，应为门类字母或2至4位数字（如 C、31、3110）")
    letter, digits = m.group(1), m.group(2)
    secs, divs = _tables()
    if digits is None:
        if letter not in secs:
            raise IndustryCodeError(f"国民经济行业代码“{value}”不是 GB/T 4754 的门类")
        return letter
    division = divs.get(digits[:2])
    if division is None:
        raise IndustryCodeError(f"国民经济行业代码“{value}”：大类“{digits[:2]}”在 GB/T 4754 中不存在")
    if letter and letter != division[1]:
        raise IndustryCodeError(f"国民经济行业代码“{value}”：大类{digits[:2]}属于门类{division[1]}，不属于门类{letter}")
    return digits


def industry_label(code: str) -> str:
    """'3110' -> 'C 制造业 · 31 黑色金属冶炼和压延加工业'."""
    if not code:
        return ""
    secs, divs = _tables()
    if code in secs:
        return f"{code} {secs[code]}"
    division = divs.get(code[:2])
    if division is None:
        return code
    return f"{division[1]} {secs[division[1]]} · {code[:2]} {division[0]}"
