"""Search keys so that Chinese names are found by any part and by pinyin initials (xxgt → 湘乡钢铁)."""

from __future__ import annotations

from pypinyin import lazy_pinyin


def search_text(*parts: str) -> str:
    keys: list[str] = []
    for part in parts:
        if not part:
            continue
        text = part.strip()
        keys.append(text.lower())
        # One conversion: the initials are the first letters of the syllables (pypinyin's FIRST_LETTER style gives
        # the same string for every CJK character and every text of the data files; test_pinyin pins it), and the
        # conversion is most of the cost of writing a task table's 2,000 tasks.
        syllables = lazy_pinyin(text, errors="ignore")
        if syllables:
            keys.append("".join(syllables).lower())
            keys.append("".join(s[0] for s in syllables if s).lower())
    return " ".join(dict.fromkeys(keys))[:1000]
