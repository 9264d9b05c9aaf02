"""Read a measurable target out of a goal's wording: "75%以上" → (≥, 75, "%")."""

from __future__ import annotations

import re
from decimal import Decimal

from campaigns.choices import Comparison

_NUMBER = re.compile(
    r"^(?P<pre>不低于|不少于|至少|达到|达|超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>%|％|[个座家处套名户条次台项所人]|公里|课时)?\s*(?P<post>以上|以下|以内)?$"
)
_ZERO = ("杜绝", "清零", "动态清零", "零发生")


def parse_target(text: str | None) -> tuple[str, Decimal, str] | None:
    """(comparison, value, unit of measure), or None when the target is not a number
    (建立, 全面完成 ...). 杜绝 / 清零 are "≤ 0"."""
    t = (text or "").strip().replace("％", "%")
    if not t:
        return None
    if t in _ZERO:
        return Comparison.LE, Decimal(0), ""
    m = _NUMBER.match(t)
    if not m:
        return None
    comparison = Comparison.LE if m["post"] in ("以下", "以内") else Comparison.GE
    return comparison, Decimal(m["num"]), m["unit"] or ""
