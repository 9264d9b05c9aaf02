from core.pinyin import search_text


def test_search_text_holds_name_full_pinyin_and_initials() -> None:
    text = search_text("湘乡钢铁有限公司")
    assert "湘乡钢铁" in text
    assert "xxgt" in text
    assert "xiangxianggangtie" in text


def test_initials_are_the_first_letters_pypinyin_gives() -> None:
    """search_text converts once and takes each syllable's first letter: the same string as pypinyin's
    FIRST_LETTER style, for every CJK unified ideograph and for mixed, polyphonic text."""
    from pypinyin import Style, lazy_pinyin

    texts = [chr(c) for c in range(0x4E00, 0xA000)] + ["重庆重要的银行行长", "ABC消防通道 123", "湘乡钢铁（集团）有限公司"]
    for text in texts:
        first = "".join(s[0] for s in lazy_pinyin(text, errors="ignore") if s).lower()
        assert first == "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower(), text
