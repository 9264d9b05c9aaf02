"""Search keys so that Chinese names are found by any part and by pinyin initials (xxgt → 湘乡钢铁)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def search_text(*parts: str) -> str:
    keys: list[str] = []
    for part in parts:
        if not part:
            continue
        text = part.strip()
        keys.append(text.lower())
        syllables = lazy_pinyin(text, errors="ignore")
        if syllables:
            keys.append("".join(syllables).lower())
            keys.append("".join(s[0] for s in syllables if s).lower())
        initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
        if initials:
            keys.append("".join(initials).lower())
    return " ".join(dict.fromkeys(keys))[:1000]
