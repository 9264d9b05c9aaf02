from core.pinyin import search_text


def test_search_text_holds_name_full_pinyin_and_initials() -> None:
    text = search_text("湘乡钢铁有限公司")
    assert "湘乡钢铁" in text
    assert "xxgt" in text
    assert "xiangxianggangtie" in text
