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


def test_memoised_runs_give_pypinyin_own_result() -> None:
    """syllables_of converts run by run (memoised): the result is exactly lazy_pinyin of the whole text, for
    polyphonic phrases, mixed scripts and texts whose runs repeat."""
    from pypinyin import lazy_pinyin

    from core.pinyin import syllables_of

    texts = ["重庆重要的银行行长", "ABC消防通道 123", "湘乡钢铁（集团）有限公司", "健全安全生产责任体系第12项重点任务",
             "开展“四不两直”明查暗访（3-7）", "长期坚持，每年10月31日前", "", "123", "银行行长长大了",
             "2024年9月底前完成排查，12月底前完成整治"]
    for text in texts * 2:
        assert syllables_of(text) == lazy_pinyin(text, errors="ignore"), text
