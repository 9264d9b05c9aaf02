"""Search keys so that Chinese names are found by any part and by pinyin initials (xxgt → 湘乡钢铁)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import simple_seg


@lru_cache(maxsize=65536)
def _run_pinyin(run: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(run, errors="ignore"))


def syllables_of(text: str) -> list[str]:
    """``lazy_pinyin(text, errors="ignore")``, memoised per run of Chinese (or of other) characters.

    pypinyin itself first splits a text into such runs (``simple_seg``) and converts each on its own (word
    segmentation never crosses a run), so the concatenation is the very same list; imports repeat the same runs
    row after row (重点任务, 有限公司, 第…项), and the conversion was most of the cost of a task table's commit."""
    out: list[str] = []
    for run in simple_seg(text):
        out.extend(_run_pinyin(run))
    return out


def search_text(*parts: str) -> str:
    keys: list[str] = []
    for part in parts:
        if not part:
            continue
        text = part.strip()
        keys.append(text.lower())
        # One conversion: the initials are the first letters of the syllables (pypinyin's FIRST_LETTER style gives
        # the same string for every CJK character and every text of the data files; test_pinyin pins it).
        syllables = syllables_of(text)
        if syllables:
            keys.append("".join(syllables).lower())
            keys.append("".join(s[0] for s in syllables if s).lower())
    return " ".join(dict.fromkeys(keys))[:1000]
