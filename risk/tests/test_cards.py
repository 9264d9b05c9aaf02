from __future__ import annotations

import io
import zipfile

import pytest
import segno

from risk import services
from risk.documents import card_docx, docx_text, qr_png
from risk.tests.factories import make_point


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["a4", "a6"])
def test_cards_render_post_name_measures_and_qr(world, size: str) -> None:
    ent = world.enterprises["ent_a1"]
    point = make_point(ent, "orange", name="轧钢机操作岗", kind="post",
                       emergency_actions="立即按下急停按钮\n报告班长", duties="执行操作规程")
    services.measure_add(actor=None, risk_point=point, kind="ppe", level="post", content="佩戴防护手套",
                         responsible="李四")
    url = f"https://anzhi.example.cn/risk/points/{point.pk}/"
    for kind, expected in (("notice", ["岗位安全风险告知卡", "佩戴防护手套", "机械伤害", "较大风险"]),
                           ("emergency", ["岗位应急处置卡", "立即按下急停按钮"]),
                           ("duty", ["岗位安全责任卡", "执行操作规程", "佩戴防护手套"])):
        data = card_docx(kind=kind, point=point, enterprise=ent, url=url, size=size)
        text = docx_text(data)
        assert "轧钢机操作岗" in text and ent.name in text
        for word in expected:
            assert word in text, (kind, word)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            media = [n for n in z.namelist() if n.startswith("word/media/")]
            assert len(media) == 1
            assert z.read(media[0]) == qr_png(url)  # the very QR image of the record's address is embedded
            assert decode_qr(z.read(media[0])) == url


def decode_qr(png: bytes) -> str:
    """Read the QR code back with a real decoder (zxing-cpp), as a phone camera would."""
    import zxingcpp
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1
    return results[0].text


def test_qr_encodes_exactly_the_url() -> None:
    url = "https://anzhi.example.cn/risk/points/42/"
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="png", scale=4, border=2)
    assert qr_png(url) == expected.getvalue()
    assert qr_png(url) != qr_png(url.replace("42", "43"))
